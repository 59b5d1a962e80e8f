"""Admins manage staff accounts: create, deactivate, activate, reset password, set role.

Each verb changes the account through :class:`bot.handoff.users.UserRepository` and
records who did it in the change log (``file`` ``(users)``), so that every change to
content or users is logged with the account. Passwords are never logged.
"""

from __future__ import annotations

from bot.kb.changelog import Change, ChangeLog, utc_now

from .errors import UserNotFound
from .records import StaffRole, StaffUser
from .users import UserRepository

__all__ = ["USERS_FILE", "AccountAdmin"]

USERS_FILE = "(users)"


class AccountAdmin:
    """The admin's verbs on staff accounts (authorisation is the caller's: role admin)."""

    def __init__(self, users: UserRepository, log: ChangeLog) -> None:
        """Use the store's ``users`` and the change ``log``."""
        self._users = users
        self._log = log

    def _record(self, admin: str, user: StaffUser, summary: str) -> Change:
        return self._log.record(
            Change(
                id=0,
                file=USERS_FILE,
                entry=f"user:{user.username}",
                summary=summary,
                account=admin,
                at=utc_now(),
            )
        )

    def _get(self, user_id: int) -> StaffUser:
        user = self._users.get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user

    def create(
        self, admin: str, username: str, first_name: str, password: str, role: StaffRole | str
    ) -> StaffUser:
        """A new active account (the password policy and username rules apply)."""
        user = self._users.add(username, first_name, password, role)
        self._record(admin, user, f"Oppretta brukaren {user.username} ({user.role.value})")
        return user

    def set_active(self, admin: str, user_id: int, active: bool) -> StaffUser:
        """Deactivate (deletes the user's sessions: signed out everywhere) or activate."""
        user = self._users.set_active(user_id, active)
        verb = "Aktiverte" if active else "Deaktiverte"
        self._record(admin, user, f"{verb} brukaren {user.username}")
        return user

    def reset_password(self, admin: str, user_id: int, password: str) -> StaffUser:
        """Set a new password (the admin tells the user; it is not logged)."""
        user = self._get(user_id)
        self._users.set_password(user_id, password)
        self._record(admin, user, f"Sette nytt passord for {user.username}")
        return user

    def set_role(self, admin: str, user_id: int, role: StaffRole | str) -> StaffUser:
        """Give the user another role (their sessions end: the new role applies at once)."""
        user = self._users.set_role(user_id, role)
        self._record(admin, user, f"Gav {user.username} rolla {user.role.value}")
        return user
