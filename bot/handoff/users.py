"""Staff users: create, log in, change password, look up, list, (de)activate."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .common import check_role, check_text, normalize_username
from .database import Database
from .errors import DuplicateUsername, UserInactive, UserNotFound
from .passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from .records import StaffRole, StaffUser
from .schema import MAX_FIRST_NAME_LENGTH, StaffUserRow, console_sessions_table

__all__ = ["UserRepository", "to_staff_user"]


def to_staff_user(row: Any) -> StaffUser:
    """Convert a ``staff_users`` row to a :class:`StaffUser` record."""
    return StaffUser(
        id=row.id,
        username=row.username,
        first_name=row.first_name,
        role=StaffRole(row.role),
        active=bool(row.active),
        created_at=row.created_at,
    )


class UserRepository:
    """The ``staff_users`` table. Authorisation (who may manage users) is the caller's job."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def active(self, user_id: int) -> StaffUser:
        """Return a user who exists and is active.

        Raises:
            UserNotFound: If the user does not exist.
            UserInactive: If the user is deactivated.
        """
        user = self.get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        if not user.active:
            raise UserInactive(user.username)
        return user

    def add(
        self,
        username: str,
        first_name: str,
        password: str,
        role: StaffRole | str = StaffRole.STAFF,
    ) -> StaffUser:
        """Create a staff user.

        Args:
            username: Login name; stored trimmed and lower-case. 2-64 characters
                of a-z, 0-9, '.', '_' and '-'.
            first_name: Shown to citizens next to the user's messages.
            password: At least 10 characters; stored as a scrypt hash.
            role: ``staff``, ``editor`` or ``admin``.

        Returns:
            The new (active) user.

        Raises:
            DuplicateUsername: If the username is taken.
            PasswordPolicyError: If the password is too short or too long.
            ValueError: For an invalid username, first name or role.
        """
        name = normalize_username(username)
        first = check_text(first_name, "First name", MAX_FIRST_NAME_LENGTH).strip()
        user_role = check_role(role)
        check_password_policy(password)
        row = StaffUserRow(
            username=name,
            first_name=first,
            password_hash=hash_password(password),
            role=user_role.value,
            active=True,
            created_at=self._db.now(),
        )
        try:
            with self._db.session() as session:
                session.add(row)
                session.flush()
                return to_staff_user(row)
        except IntegrityError:
            if self.get_by_username(name) is not None:
                raise DuplicateUsername(name) from None
            raise

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """Check a login. Takes about the same time whether or not the user exists.

        Args:
            username: Login name (case-insensitive).
            password: Plain-text password.

        Returns:
            The user if the password is right and the user is active, else None.
        """
        try:
            name: str | None = normalize_username(username)
        except ValueError:
            name = None
        row_data: tuple[int, str, bool] | None = None
        if name is not None:
            with self._db.session() as session:
                row = session.execute(
                    select(StaffUserRow.id, StaffUserRow.password_hash, StaffUserRow.active).where(
                        StaffUserRow.username == name
                    )
                ).one_or_none()
                if row is not None:
                    row_data = (row[0], row[1], bool(row[2]))
        if row_data is None:
            verify_password(password, dummy_hash())  # same cost as a real check
            return None
        user_id, stored_hash, active = row_data
        if not verify_password(password, stored_hash) or not active:
            return None
        if needs_rehash(stored_hash):
            self._store_password_hash(user_id, hash_password(password))
        return self.get(user_id)

    def _store_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._db.session() as session:
            result = session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(password_hash=password_hash)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise UserNotFound(user_id)

    def set_password(self, user_id: int, password: str) -> None:
        """Replace a staff user's password.

        Raises:
            PasswordPolicyError: If the password is too short or too long.
            UserNotFound: If the user does not exist.
        """
        self._store_password_hash(user_id, hash_password(password))

    def get(self, user_id: int) -> StaffUser | None:
        """Return the staff user with this id, or None."""
        with self._db.session() as session:
            row = session.get(StaffUserRow, user_id)
            return to_staff_user(row) if row is not None else None

    def get_by_username(self, username: str) -> StaffUser | None:
        """Return the staff user with this username (case-insensitive), or None."""
        try:
            name = normalize_username(username)
        except ValueError:
            return None
        with self._db.session() as session:
            row = session.execute(
                select(StaffUserRow).where(StaffUserRow.username == name)
            ).scalar_one_or_none()
            return to_staff_user(row) if row is not None else None

    def list(self) -> builtins.list[StaffUser]:
        """Return all staff users (active and inactive), sorted by username."""
        with self._db.session() as session:
            rows = session.execute(select(StaffUserRow).order_by(StaffUserRow.username)).scalars()
            return [to_staff_user(row) for row in rows]

    def set_active(self, user_id: int, active: bool) -> StaffUser:
        """Activate or deactivate a staff user. Deactivated users cannot log in.

        Deactivating also deletes the user's console sessions (signed out everywhere,
        in the same transaction), so an old cookie does not work after re-activation.
        Conversations the user has claimed stay WITH_HUMAN; hand them back or
        close them from the console if needed.

        Returns:
            The updated user.

        Raises:
            UserNotFound: If the user does not exist.
        """
        with self._db.session() as session:
            result = session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(active=bool(active))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise UserNotFound(user_id)
            if not active:
                session.execute(
                    delete(console_sessions_table).where(
                        console_sessions_table.c.user_id == user_id
                    )
                )
        user = self.get(user_id)
        if user is None:  # deleted in between; practically impossible
            raise UserNotFound(user_id)
        return user

    def set_role(self, user_id: int, role: StaffRole | str) -> StaffUser:
        """Give a staff user another role (``staff``, ``editor`` or ``admin``).

        The user's sessions are deleted too, so the new role applies from the next sign-in
        and an old page cannot keep rights the user no longer has.

        Raises:
            UserNotFound: If the user does not exist.
            ValueError: For an unknown role.
        """
        new_role = check_role(role)
        with self._db.session() as session:
            result = session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(role=new_role.value)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise UserNotFound(user_id)
            session.execute(
                delete(console_sessions_table).where(console_sessions_table.c.user_id == user_id)
            )
        user = self.get(user_id)
        if user is None:  # deleted in between; practically impossible
            raise UserNotFound(user_id)
        return user
