"""HandoffStore: staff users and authentication."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.handoff import (
    DuplicateUsername,
    HandoffStore,
    PasswordPolicyError,
    StaffRole,
    UserNotFound,
    hash_password,
    verify_password,
)

from .conftest import STAFF_PASSWORD, FakeClock


def _stored_hash(store: HandoffStore, username: str) -> str:
    with store.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT password_hash FROM staff_users WHERE username = :u"), {"u": username}
            ).scalar_one()
        )


def test_add_user(store: HandoffStore, clock: FakeClock) -> None:
    user = store.users.add("  Kari.Nordmann ", "Kari", STAFF_PASSWORD, "editor")
    assert user.username == "kari.nordmann"
    assert (user.first_name, user.role, user.active) == ("Kari", StaffRole.EDITOR, True)
    assert user.created_at == clock.now
    assert store.users.get(user.id) == user
    assert store.users.get_by_username("KARI.NORDMANN") == user
    assert not hasattr(user, "password_hash")


def test_default_role_is_staff(store: HandoffStore) -> None:
    assert store.users.add("kari", "Kari", STAFF_PASSWORD).role is StaffRole.STAFF


def test_duplicate_username_is_refused(store: HandoffStore) -> None:
    store.users.add("kari", "Kari", STAFF_PASSWORD)
    with pytest.raises(DuplicateUsername, match="'kari' already exists"):
        store.users.add("KARI", "Kari Anna", STAFF_PASSWORD)
    assert [u.first_name for u in store.users.list()] == ["Kari"]


@pytest.mark.parametrize(
    ("username", "first_name", "password", "role", "error", "match"),
    [
        ("kari", "Kari", "kort", "staff", PasswordPolicyError, "at least 10"),
        ("kari", "Kari", STAFF_PASSWORD, "boss", ValueError, "Unknown role 'boss'"),
        ("k", "Kari", STAFF_PASSWORD, "staff", ValueError, "Invalid username"),
        ("kari nordmann", "Kari", STAFF_PASSWORD, "staff", ValueError, "Invalid username"),
        ("kari", " ", STAFF_PASSWORD, "staff", ValueError, "First name is empty"),
    ],
)
def test_invalid_user_input_is_refused(
    store: HandoffStore,
    username: str,
    first_name: str,
    password: str,
    role: str,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        store.users.add(username, first_name, password, role)
    assert store.users.list() == []


def test_password_is_stored_hashed_and_salted(store: HandoffStore) -> None:
    store.users.add("kari", "Kari", STAFF_PASSWORD)
    store.users.add("ola", "Ola", STAFF_PASSWORD)
    kari_hash, ola_hash = _stored_hash(store, "kari"), _stored_hash(store, "ola")
    assert STAFF_PASSWORD not in kari_hash
    assert kari_hash.startswith("scrypt$")
    assert kari_hash != ola_hash  # same password, different salt


def test_authenticate(store: HandoffStore) -> None:
    kari = store.users.add("kari", "Kari", STAFF_PASSWORD)
    assert store.users.authenticate("kari", STAFF_PASSWORD) == kari
    assert store.users.authenticate(" KARI ", STAFF_PASSWORD) == kari
    assert store.users.authenticate("kari", STAFF_PASSWORD + "!") is None
    assert store.users.authenticate("kari", "") is None
    assert store.users.authenticate("ola", STAFF_PASSWORD) is None
    assert store.users.authenticate("", STAFF_PASSWORD) is None


def test_unknown_user_costs_a_hash_check_too(
    store: HandoffStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = verify_password

    def spy(password: str, encoded: str) -> bool:
        checked.append(encoded)
        return real(password, encoded)

    monkeypatch.setattr("bot.handoff.users.verify_password", spy)
    assert store.users.authenticate("nobody", STAFF_PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("scrypt$")


def test_inactive_user_cannot_log_in(store: HandoffStore) -> None:
    kari = store.users.add("kari", "Kari", STAFF_PASSWORD)
    deactivated = store.users.set_active(kari.id, False)
    assert deactivated.active is False
    assert store.users.authenticate("kari", STAFF_PASSWORD) is None
    assert store.users.set_active(kari.id, True).active is True
    assert store.users.authenticate("kari", STAFF_PASSWORD) is not None


def test_set_active_unknown_user(store: HandoffStore) -> None:
    with pytest.raises(UserNotFound):
        store.users.set_active(999, False)


def test_list_users_sorted_by_username(store: HandoffStore) -> None:
    for name in ("ola", "anne", "kari"):
        store.users.add(name, name.title(), STAFF_PASSWORD)
    assert [u.username for u in store.users.list()] == ["anne", "kari", "ola"]


def test_set_password(store: HandoffStore) -> None:
    kari = store.users.add("kari", "Kari", STAFF_PASSWORD)
    store.users.set_password(kari.id, "heilt-nytt-passord")
    assert store.users.authenticate("kari", STAFF_PASSWORD) is None
    assert store.users.authenticate("kari", "heilt-nytt-passord") == kari
    with pytest.raises(PasswordPolicyError):
        store.users.set_password(kari.id, "kort")


def test_old_hash_is_upgraded_at_login(store: HandoffStore) -> None:
    kari = store.users.add("kari", "Kari", STAFF_PASSWORD)
    weak = hash_password(STAFF_PASSWORD).split("$")
    # Re-create a hash of the same password with a lower cost (as an old version would).
    import base64
    import hashlib

    salt = base64.b64decode(weak[4])
    key = hashlib.scrypt(STAFF_PASSWORD.encode(), salt=salt, n=2**10, r=8, p=1, dklen=32)
    old = "$".join(["scrypt", str(2**10), "8", "1", weak[4], base64.b64encode(key).decode()])
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE staff_users SET password_hash = :h WHERE id = :i"),
            {"h": old, "i": kari.id},
        )
    assert store.users.authenticate("kari", STAFF_PASSWORD) == kari
    upgraded = _stored_hash(store, "kari")
    assert upgraded != old and upgraded.split("$")[1] == str(2**14)
