"""The admin page's API for staff accounts (``/console/api/admin/users``); role admin only."""

from __future__ import annotations

from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.editor.problems import api_text, page_language
from bot.editor.views import ADMIN_ROLES
from bot.handoff.accounts import AccountAdmin
from bot.handoff.errors import DuplicateUsername, PasswordPolicyError, UserNotFound
from bot.handoff.records import StaffUser
from bot.kb.changelog import change_log
from bot.web.auth import Staff, staff_route
from bot.web.http import ApiError, parse_json_object, required_str

__all__ = ["user_create", "user_password", "user_role", "user_set_active", "users_list"]


def admin_user_json(user: StaffUser) -> dict[str, Any]:
    """An account as the admin page shows it (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "first_name": user.first_name,
        "role": user.role.value,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
    }


def _admin(staff: Staff) -> AccountAdmin:
    return AccountAdmin(staff.state.store.users, change_log())


async def _do(staff: Staff, verb: Any, *args: Any, language: str = "nn") -> StaffUser:
    try:
        user: StaffUser = await staff.state.run(verb, staff.user.username, *args)
    except UserNotFound:
        raise ApiError(404, "not_found", api_text("api_user_not_found", language)) from None
    except DuplicateUsername:
        raise ApiError(
            409,
            "duplicate_username",
            api_text("api_username_taken", language),
            field="username",
        ) from None
    except PasswordPolicyError as error:
        raise ApiError(
            422,
            "invalid",
            api_text("api_password_short", language),
            field="password",
            detail=str(error),
        ) from None
    except ValueError as error:
        text = str(error)
        field = "role" if "role" in text.lower() else "username"
        if "first name" in text.lower():
            field = "first_name"
        raise ApiError(422, "invalid", text, field=field) from None
    return user


@staff_route(csrf=False, roles=ADMIN_ROLES)
async def users_list(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /users``."""
    users = await staff.state.run(staff.state.store.users.list)
    return response.json({"users": [admin_user_json(u) for u in users]})


@staff_route(csrf=True, roles=ADMIN_ROLES)
async def user_create(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /users``: ``{"username", "first_name", "password", "role"}``."""
    body = parse_json_object(request)
    fields = [required_str(body, name)[:1000] for name in ("username", "first_name", "password")]
    role = required_str(body, "role")[:20]
    user = await _do(staff, _admin(staff).create, *fields, role, language=page_language(request))
    return response.json({"user": admin_user_json(user)}, status=201)


@staff_route(csrf=True, roles=ADMIN_ROLES)
async def user_set_active(request: Request, staff: Staff, user_id: int) -> HTTPResponse:
    """``POST /users/<id>/active``: ``{"active": false}`` deactivates (signs out everywhere)."""
    active = parse_json_object(request).get("active")
    if not isinstance(active, bool):
        raise ApiError(400, "bad_request", "'active' must be true or false.", field="active")
    if not active and user_id == staff.user.id:
        raise ApiError(
            409, "refused", api_text("api_not_yourself", page_language(request)), field="active"
        )
    user = await _do(
        staff, _admin(staff).set_active, user_id, active, language=page_language(request)
    )
    return response.json({"user": admin_user_json(user)})


@staff_route(csrf=True, roles=ADMIN_ROLES)
async def user_password(request: Request, staff: Staff, user_id: int) -> HTTPResponse:
    """``POST /users/<id>/password``: ``{"password"}``."""
    password = required_str(parse_json_object(request), "password")[:1000]
    user = await _do(
        staff, _admin(staff).reset_password, user_id, password, language=page_language(request)
    )
    return response.json({"user": admin_user_json(user)})


@staff_route(csrf=True, roles=ADMIN_ROLES)
async def user_role(request: Request, staff: Staff, user_id: int) -> HTTPResponse:
    """``POST /users/<id>/role``: ``{"role": "staff" | "editor" | "admin"}``."""
    role = required_str(parse_json_object(request), "role")[:20]
    if user_id == staff.user.id and role != "admin":
        raise ApiError(
            409, "refused", api_text("api_keep_admin", page_language(request)), field="role"
        )
    user = await _do(staff, _admin(staff).set_role, user_id, role, language=page_language(request))
    return response.json({"user": admin_user_json(user)})
