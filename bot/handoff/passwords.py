"""Password hashing for staff users with scrypt (memory-hard), standard library only.

Hashes are stored as a self-describing string::

    scrypt$<n>$<r>$<p>$<salt_b64>$<hash_b64>

so the cost parameters can be raised later without breaking existing hashes
(:func:`needs_rehash` tells when a stored hash uses old parameters). Salt and
hash are standard base64 without line breaks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from functools import lru_cache

from .errors import PasswordPolicyError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_password_policy",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
"""Shortest accepted password, in characters."""

MAX_PASSWORD_LENGTH = 1024
"""Longest accepted password, in characters (protects against huge inputs)."""

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32

_PREFIX = "scrypt"
# Upper bound for parameters read back from a stored hash, so a corrupted or
# tampered row cannot make verification allocate unbounded memory.
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16


def check_password_policy(password: str) -> None:
    """Check a new password against the password rules.

    Args:
        password: The candidate password.

    Raises:
        PasswordPolicyError: If the password is not a string, is shorter than
            :data:`MIN_PASSWORD_LENGTH` or longer than :data:`MAX_PASSWORD_LENGTH`
            characters.
    """
    if not isinstance(password, str):
        raise PasswordPolicyError(f"Password must be a string, got {type(password).__name__}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Password is too short ({len(password)} characters). Use at least "
            f"{MIN_PASSWORD_LENGTH} characters; a passphrase of a few words works well."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Password is too long ({len(password)} characters). Use at most "
            f"{MAX_PASSWORD_LENGTH} characters."
        )


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # maxmem must cover 128 * r * n bytes plus some slack; be generous.
    maxmem = 128 * r * n * 2 + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem
    )


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """Hash a new password with scrypt and a fresh random salt.

    Args:
        password: The plain-text password chosen by the user.

    Returns:
        The encoded hash ``scrypt$n$r$p$salt_b64$hash_b64``. Hashing the same
        password twice gives different strings because the salt differs.

    Raises:
        PasswordPolicyError: If the password breaks the rules of
            :func:`check_password_policy`.
    """
    check_password_policy(password)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return "$".join(
        [_PREFIX, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64encode(salt), _b64encode(key)]
    )


def _decode(encoded: str) -> tuple[int, int, int, bytes, bytes] | None:
    """Split an encoded hash into its parts, or return None if it is malformed."""
    parts = encoded.split("$") if isinstance(encoded, str) else []
    if len(parts) != 6 or parts[0] != _PREFIX:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    n_is_power_of_two = n > 1 and (n & (n - 1)) == 0
    if not (n_is_power_of_two and n <= _MAX_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        return None
    if not salt or not key:
        return None
    return n, r, p, salt, key


def verify_password(password: str, encoded: str) -> bool:
    """Check a password against a stored hash in constant time.

    Never raises for wrong or malformed input: a malformed stored hash, a
    non-string password or a password outside the length limits simply does
    not match.

    Args:
        password: The plain-text password typed at login.
        encoded: The stored hash from :func:`hash_password`.

    Returns:
        True if the password matches, otherwise False.
    """
    decoded = _decode(encoded)
    if decoded is None or not isinstance(password, str):
        return False
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    n, r, p, salt, expected = decoded
    actual = _scrypt(password, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def needs_rehash(encoded: str) -> bool:
    """Tell whether a stored hash should be replaced (malformed or old parameters).

    Args:
        encoded: The stored hash.

    Returns:
        True if the hash does not use the current scrypt parameters and key size;
        re-hash the password at the next successful login.
    """
    decoded = _decode(encoded)
    if decoded is None:
        return True
    n, r, p, salt, key = decoded
    return (n, r, p, len(salt), len(key)) != (SCRYPT_N, SCRYPT_R, SCRYPT_P, SALT_BYTES, KEY_BYTES)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Return a valid hash of a random password, computed once per process.

    Used to spend the same time verifying a login for an unknown user as for a
    known one, so response times do not reveal which usernames exist.
    """
    return hash_password(secrets.token_urlsafe(32))
