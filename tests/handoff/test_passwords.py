"""scrypt password hashing."""

from __future__ import annotations

import base64
import hmac

import pytest

from bot.handoff import PasswordPolicyError, hash_password, needs_rehash, passwords, verify_password

GOOD = "lang-nok-passord"


def test_hash_format_is_self_describing() -> None:
    encoded = hash_password(GOOD)
    parts = encoded.split("$")
    assert parts[:4] == ["scrypt", str(2**14), "8", "1"]
    assert len(base64.b64decode(parts[4])) == 16
    assert len(base64.b64decode(parts[5])) == 32
    assert GOOD not in encoded


def test_same_password_hashes_differently_each_time() -> None:
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]  # different salts
    assert verify_password(GOOD, first) and verify_password(GOOD, second)


def test_verify_right_and_wrong_password() -> None:
    encoded = hash_password(GOOD)
    assert verify_password(GOOD, encoded) is True
    assert verify_password(GOOD + "x", encoded) is False
    assert verify_password(GOOD.upper(), encoded) is False
    assert verify_password("", encoded) is False


def test_verify_uses_constant_time_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    encoded = hash_password(GOOD)
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert verify_password(GOOD, encoded) is True
    assert verify_password("feil-passord-her", encoded) is False
    assert len(calls) == 2


@pytest.mark.parametrize("short", ["", "a", "123456789", "ni-teikn!"])
def test_short_passwords_are_rejected_with_clear_message(short: str) -> None:
    with pytest.raises(PasswordPolicyError, match="at least 10 characters"):
        hash_password(short)


def test_ten_characters_is_enough() -> None:
    assert verify_password("0123456789", hash_password("0123456789"))


def test_overlong_password_is_rejected() -> None:
    with pytest.raises(PasswordPolicyError, match="too long"):
        hash_password("x" * (passwords.MAX_PASSWORD_LENGTH + 1))


@pytest.mark.parametrize(
    "broken",
    [
        "",
        "plaintext-password",
        "bcrypt$16384$8$1$c2FsdA==$aGFzaA==",
        "scrypt$16384$8$1$not base64!$aGFzaA==",
        "scrypt$1000$8$1$c2FsdA==$aGFzaA==",  # n not a power of two
        "scrypt$16384$8$1$c2FsdA==",  # missing part
        "scrypt$1099511627776$8$1$c2FsdA==$aGFzaA==",  # absurd memory cost
    ],
)
def test_malformed_hashes_never_match_and_need_rehash(broken: str) -> None:
    assert verify_password(GOOD, broken) is False
    assert needs_rehash(broken) is True


def test_current_hash_does_not_need_rehash_but_old_parameters_do() -> None:
    assert needs_rehash(hash_password(GOOD)) is False
    _, _, r, p, salt, key = hash_password(GOOD).split("$")
    old = "$".join(["scrypt", str(2**10), r, p, salt, key])
    assert needs_rehash(old) is True
