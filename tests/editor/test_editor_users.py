"""The admin page's API for staff accounts (issue 8): every change works and is logged."""

from __future__ import annotations

import pytest

from tests.web.conftest import STAFF_PASSWORD, Server, Staff


def _user_id(server: Server, username: str) -> int:
    user = server.store.users.get_by_username(username)
    assert user is not None
    return user.id


def _history(admin: Staff) -> list[str]:
    changes = admin.call("GET", "/editor/history", csrf=False).json["changes"]
    return [f"{c['account']}: {c['summary']}" for c in changes]


def test_editor_admin_creates_user_who_can_sign_in(
    editor_server: Server, as_role: dict[str, Staff]
) -> None:
    admin = as_role["admin"]
    body = {
        "username": "nina",
        "first_name": "Nina",
        "password": "eit-langt-passord",
        "role": "editor",
    }
    resp = admin.call("POST", "/admin/users", body)
    assert resp.status == 201 and resp.json["user"]["role"] == "editor"
    assert "password_hash" not in resp.json["user"]
    assert editor_server.login("nina", "eit-langt-passord").user["role"] == "editor"
    assert "admin1: Oppretta brukaren nina (editor)" in _history(admin)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {
                "username": "staff1",
                "first_name": "X",
                "password": "eit-langt-passord",
                "role": "staff",
            },
            409,
            "username",
        ),
        (
            {"username": "ny", "first_name": "X", "password": "kort", "role": "staff"},
            422,
            "password",
        ),
        (
            {"username": "ny", "first_name": "X", "password": "eit-langt-passord", "role": "sjef"},
            422,
            "role",
        ),
        ({"username": "ny", "first_name": "X", "role": "staff"}, 400, "password"),
    ],
)
def test_editor_admin_create_user_refused_with_field(
    as_role: dict[str, Staff], body: dict[str, str], status: int, field: str
) -> None:
    resp = as_role["admin"].call("POST", "/admin/users", body)
    assert resp.status == status, resp.body
    assert resp.json.get("field") == field


def test_editor_admin_deactivates_user_and_signs_them_out(
    editor_server: Server, as_role: dict[str, Staff]
) -> None:
    admin, staff = as_role["admin"], as_role["staff"]
    staff_id = _user_id(editor_server, "staff1")
    assert staff.call("GET", "/me", csrf=False).status == 200
    resp = admin.call("POST", f"/admin/users/{staff_id}/active", {"active": False})
    assert resp.status == 200 and resp.json["user"]["active"] is False
    assert staff.call("GET", "/me", csrf=False).status == 401
    assert "admin1: Deaktiverte brukaren staff1" in _history(admin)
    assert admin.call("POST", f"/admin/users/{staff_id}/active", {"active": True}).status == 200


def test_editor_admin_cannot_lock_themself_out(
    editor_server: Server, as_role: dict[str, Staff]
) -> None:
    admin = as_role["admin"]
    me = _user_id(editor_server, "admin1")
    assert admin.call("POST", f"/admin/users/{me}/active", {"active": False}).status == 409
    assert admin.call("POST", f"/admin/users/{me}/role", {"role": "staff"}).status == 409


def test_editor_admin_resets_password_and_sets_role(
    editor_server: Server, as_role: dict[str, Staff]
) -> None:
    admin = as_role["admin"]
    staff_id = _user_id(editor_server, "staff1")
    resp = admin.call(
        "POST", f"/admin/users/{staff_id}/password", {"password": "heilt-nytt-passord"}
    )
    assert resp.status == 200
    assert (
        editor_server.request(
            "POST", "/console/api/login", {"username": "staff1", "password": STAFF_PASSWORD}
        ).status
        == 401
    )
    fresh = editor_server.login("staff1", "heilt-nytt-passord")
    assert fresh.call("GET", "/editor/faq", csrf=False).status == 403
    resp = admin.call("POST", f"/admin/users/{staff_id}/role", {"role": "editor"})
    assert resp.status == 200 and resp.json["user"]["role"] == "editor"
    assert fresh.call("GET", "/me", csrf=False).status == 401  # sessions end with the role change
    promoted = editor_server.login("staff1", "heilt-nytt-passord")
    assert promoted.call("GET", "/editor/faq", csrf=False).status == 200
    history = _history(admin)
    assert "admin1: Sette nytt passord for staff1" in history
    assert "admin1: Gav staff1 rolla editor" in history
    assert not any("heilt-nytt-passord" in line for line in history)


@pytest.mark.parametrize("suffix", ["/active", "/password", "/role"])
def test_editor_admin_unknown_user_is_404(as_role: dict[str, Staff], suffix: str) -> None:
    body = {"active": False, "password": "eit-langt-passord", "role": "staff"}
    assert as_role["admin"].call("POST", f"/admin/users/999{suffix}", body).status == 404
