"""The editor API (issue 8): roles on every route, saves, conflicts, undo, preview, CSV, texts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.channels.editor_channel import ROUTES
from bot.kb import load_knowledge_base
from tests.web.conftest import Server, Staff

PARAMS = {
    "ident": "eigedomsskatt",
    "index": "0",
    "change_id": "1",
    "user_id": "1",
    "name": "messages",
    "key": "greet",
}
ROUTE_TABLE = [
    (method, re.sub(r"<(\w+):\w+>", lambda m: PARAMS[m.group(1)], path))
    for path, handlers in ROUTES
    for method in handlers
]


def _call(staff: Staff, method: str, path: str) -> int:
    body = {} if method in ("POST", "PUT") else None
    return staff.call(method, path.removeprefix("/api"), body).status


@pytest.mark.parametrize(("method", "path"), ROUTE_TABLE)
def test_editor_route_roles(
    role_server: tuple[Server, dict[str, Staff]], method: str, path: str
) -> None:
    editor_server, as_role = role_server
    admin_only = path.startswith("/api/admin/")
    anonymous = editor_server.request(method, "/console" + path, {} if method != "GET" else None)
    assert anonymous.status == 401
    assert _call(as_role["staff"], method, path) == 403
    editor_status = _call(as_role["editor"], method, path)
    assert (editor_status == 403) == admin_only, editor_status
    assert _call(as_role["admin"], method, path) not in (401, 403)


def test_editor_routes_table_covers_every_route() -> None:
    assert len(ROUTE_TABLE) == 27
    assert {path.split("/")[2] for _, path in ROUTE_TABLE} == {"editor", "admin"}


@pytest.mark.parametrize("page", ["/console/editor/", "/console/admin/"])
def test_editor_pages_are_served_with_csp(editor_server: Server, page: str) -> None:
    resp = editor_server.request("GET", page)
    assert resp.status == 200
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "<main" in resp.text


def _faq(kb_dir: Path, ident: str) -> Any:
    return next(e for e in load_knowledge_base(kb_dir).faq if e.id == ident)


def _entry(editor: Staff, ident: str) -> dict[str, Any]:
    resp = editor.call("GET", f"/editor/faq/{ident}", csrf=False)
    assert resp.status == 200
    data: dict[str, Any] = resp.json
    return data


def test_editor_fixes_answer_adds_phrasing_and_checks(
    as_role: dict[str, Staff], kb_dir: Path
) -> None:
    editor = as_role["editor"]
    entry = _entry(editor, "eigedomsskatt")
    assert entry["sample"] is True
    body = {
        "version": entry["version"],
        "questions": entry["questions"],
        "answer": {
            "nn": "Eigedomsskatten betaler du i to terminar.",
            "nb": "Eiendomsskatten betaler du i to terminer.",
            "en": "",
        },
        "link": entry["link"],
        "checked": True,
    }
    resp = editor.call("PUT", "/editor/faq/eigedomsskatt", body)
    assert resp.status == 200, resp.body
    assert resp.json["change"]["account"] == "editor1"
    assert resp.json["entry"]["version"] != entry["version"]
    resp = editor.call(
        "POST", "/editor/faq/eigedomsskatt/phrasings", {"phrasing": "når kjem eigedomsskatten"}
    )
    assert resp.status == 201, resp.body
    saved = _faq(kb_dir, "eigedomsskatt")
    assert saved.answer.nn == "Eigedomsskatten betaler du i to terminar."
    assert saved.sample is False and "når kjem eigedomsskatten" in saved.questions
    history = editor.call("GET", "/editor/history", csrf=False).json["changes"]
    assert [c["account"] for c in history[:2]] == ["editor1", "editor1"]
    detail = editor.call("GET", f"/editor/history/{history[0]['id']}", csrf=False).json
    assert "+      - når kjem eigedomsskatten" in detail["diff"]


def test_editor_conflict_keeps_the_second_editors_input(
    editor_server: Server, as_role: dict[str, Staff], kb_dir: Path
) -> None:
    first, second = as_role["editor"], as_role["admin"]
    entry = _entry(first, "eigedomsskatt")
    base = {"questions": entry["questions"], "link": entry["link"], "version": entry["version"]}
    ok = first.call(
        "PUT", "/editor/faq/eigedomsskatt", {**base, "answer": {"nn": "A.", "nb": "A."}}
    )
    assert ok.status == 200
    late = second.call(
        "PUT", "/editor/faq/eigedomsskatt", {**base, "answer": {"nn": "B.", "nb": "B."}}
    )
    assert late.status == 409
    assert late.json["error"] == "conflict" and late.json["by"] == "editor1"
    assert late.json["current"]["answer"]["nn"] == "A."
    assert "editor1 lagra dette" in late.json["message"]
    assert _faq(kb_dir, "eigedomsskatt").answer.nn == "A."


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        ({"nn": "", "nb": "Svar."}, "answer.nn", "Skriv teksten på nynorsk."),
        (
            {"nn": "Ring {telefon}.", "nb": "Ring {phone}."},
            "answer.nn",
            "Ukjend plasshaldar {telefon}.",
        ),
    ],
)
def test_editor_invalid_save_shows_error_at_field(
    as_role: dict[str, Staff], kb_dir: Path, answer: dict[str, str], field: str, message: str
) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    editor = as_role["editor"]
    entry = _entry(editor, "eigedomsskatt")
    body = {"version": entry["version"], "questions": entry["questions"], "answer": answer}
    resp = editor.call("PUT", "/editor/faq/eigedomsskatt", body)
    assert resp.status == 422
    errors = {e["field"]: e["message"] for e in resp.json["errors"]}
    assert errors[field].startswith(message), errors
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/editor/faq/eigedomsskatt", {"version": "x", "questions": "ikkje ei liste"}, "questions"),
        ("/editor/faq/eigedomsskatt", {"questions": []}, "version"),
        ("/editor/closures", {"from": "24.12.2026"}, "from"),
        ("/editor/preview", {"questions": []}, "questions"),
    ],
)
def test_editor_malformed_body_is_400_with_field(
    as_role: dict[str, Staff], path: str, body: dict[str, Any], field: str
) -> None:
    method = "PUT" if path.startswith("/editor/faq/") else "POST"
    resp = as_role["editor"].call(method, path, body)
    assert resp.status == 400 and resp.json["field"] == field


def test_editor_undo_restores_previous_answer_over_api(
    as_role: dict[str, Staff], kb_dir: Path
) -> None:
    editor = as_role["editor"]
    old = _faq(kb_dir, "eigedomsskatt").answer.nn
    entry = _entry(editor, "eigedomsskatt")
    body = {
        "version": entry["version"],
        "questions": entry["questions"],
        "answer": {"nn": "Nytt.", "nb": "Nytt."},
    }
    change = editor.call("PUT", "/editor/faq/eigedomsskatt", body).json["change"]
    resp = editor.call("POST", f"/editor/history/{change['id']}/undo", {})
    assert resp.status == 201 and resp.json["change"]["undoes"] == change["id"]
    assert _faq(kb_dir, "eigedomsskatt").answer.nn == old


def test_editor_adds_and_removes_a_closure(as_role: dict[str, Staff], kb_dir: Path) -> None:
    editor = as_role["editor"]
    listing = editor.call("GET", "/editor/closures", csrf=False).json
    assert any(h["nn"] == "1. juledag" or h["date"].endswith("-12-25") for h in listing["holidays"])
    body = {
        "from": "2026-12-02",
        "reason": {"nn": "personalmøte", "nb": "personalmøte"},
        "locations": ["manger"],
    }
    resp = editor.call("POST", "/editor/closures", body)
    assert resp.status == 201, resp.body
    added = [e for e in load_knowledge_base(kb_dir).exceptions if str(e.start) == "2026-12-02"]
    assert len(added) == 1 and added[0].closed and added[0].locations == ("manger",)
    index = len(resp.json["entry"]["value"]) - 1
    version = resp.json["entry"]["version"]
    resp = editor.call("POST", f"/editor/closures/{index}/remove", {"version": version})
    assert resp.status == 200
    assert not [e for e in load_knowledge_base(kb_dir).exceptions if str(e.start) == "2026-12-02"]


def test_editor_closure_with_unknown_place_is_refused(as_role: dict[str, Staff]) -> None:
    body = {"from": "2026-12-02", "reason": {"nn": "a", "nb": "a"}, "locations": ["mangor"]}
    resp = as_role["editor"].call("POST", "/editor/closures", body)
    assert resp.status == 422
    assert resp.json["errors"][0]["field"] == "locations"


def test_editor_changes_desk_hours(as_role: dict[str, Staff], kb_dir: Path) -> None:
    editor = as_role["editor"]
    desk = next(
        d
        for d in editor.call("GET", "/editor/desks", csrf=False).json["locations"]
        if d["id"] == "manger"
    )
    hours = {**desk["opening_hours"], "wednesday": "10:00-14:00"}
    body = {
        "version": desk["version"],
        "opening_hours": hours,
        "address": desk.get("address") or {},
    }
    resp = editor.call("PUT", "/editor/desks/manger", body)
    assert resp.status == 200, resp.body
    manger = next(loc for loc in load_knowledge_base(kb_dir).locations if loc.id == "manger")
    wednesday = manger.opening_hours["wednesday"]
    assert (wednesday.start.hour, wednesday.end.hour) == (10, 14)


def test_editor_preview_answers_with_unsaved_change(
    as_role: dict[str, Staff], kb_dir: Path
) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    editor = as_role["editor"]
    entry = _entry(editor, "eigedomsskatt")
    change = {
        "version": entry["version"],
        "questions": [*entry["questions"], "kva med skatt på bustaden min"],
        "answer": {"nn": "Førehandsvist svar.", "nb": "Forhåndsvist svar."},
        "link": entry["link"],
    }
    body = {
        "kind": "faq",
        "id": "eigedomsskatt",
        "change": change,
        "questions": ["kva med skatt på bustaden min"],
    }
    resp = editor.call("POST", "/editor/preview", body)
    assert resp.status == 200, resp.body
    answer = resp.json["answers"][0]
    assert any("Førehandsvist svar." in text for text in answer["nn"]), answer
    assert any("Forhåndsvist svar." in text for text in answer["nb"]), answer
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before


def test_editor_csv_round_trip_and_import_summary(as_role: dict[str, Staff], kb_dir: Path) -> None:
    editor = as_role["editor"]
    exported = editor.call("GET", "/editor/faq.csv", csrf=False)
    assert exported.status == 200 and exported.headers["Content-Type"].startswith("text/csv")
    text = exported.text.lstrip("\ufeff")
    same = editor.call("POST", "/editor/faq/import", {"csv": text}).json
    assert same["summary"]["added"] == [] and same["summary"]["changed"] == []
    assert same["summary"]["unchanged"] == len(load_knowledge_base(kb_dir).faq)
    changed_text = text.replace("Informasjon om eigedomsskatt", "Alt om eigedomsskatt", 1)
    changed_text += 'ny_sak,"kva er ny sak\nny sak",Nytt svar.,Nytt svar.,,,ja\r\n'
    dry = editor.call("POST", "/editor/faq/import", {"csv": changed_text})
    assert dry.status == 200 and dry.json["applied"] is False
    assert dry.json["summary"]["added"] == ["ny_sak"]
    assert dry.json["summary"]["changed"] == [{"id": "eigedomsskatt", "fields": ["answer_nn"]}]
    assert "ny_sak" not in [e.id for e in load_knowledge_base(kb_dir).faq]
    applied = editor.call(
        "POST",
        "/editor/faq/import",
        {"csv": changed_text, "apply": True, "version": dry.json["version"]},
    )
    assert applied.status == 201, applied.body
    faq = {e.id: e for e in load_knowledge_base(kb_dir).faq}
    assert faq["ny_sak"].questions == ("kva er ny sak", "ny sak") and faq["ny_sak"].sample
    assert faq["eigedomsskatt"].answer.nn.startswith("Alt om eigedomsskatt")


def test_editor_csv_import_with_problem_writes_nothing(
    as_role: dict[str, Staff], kb_dir: Path
) -> None:
    before = (kb_dir / "faq.yml").read_text(encoding="utf-8")
    text = "id,questions,answer_nn,answer_nb\nny,spørsmål,Svar utan bokmål,\n"
    resp = as_role["editor"].call("POST", "/editor/faq/import", {"csv": text})
    assert resp.status == 422
    assert any(e["field"] == "answer.nb" for e in resp.json["errors"])
    assert (kb_dir / "faq.yml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Hei! Eg er ein robot frå {municipality}.", True),
        ("Hei frå oss.", False),
        ("Hei frå {kommune}.", False),
    ],
)
def test_editor_text_override_placeholders_checked(
    as_role: dict[str, Staff], kb_dir: Path, text: str, ok: bool
) -> None:
    editor = as_role["editor"]
    items = editor.call("GET", "/editor/texts?section=messages", csrf=False).json["texts"]
    greet = next(t for t in items if t["key"] == "greet")
    resp = editor.call(
        "PUT", "/editor/texts/messages/greet", {"version": greet["version"], "nn": text}
    )
    assert (resp.status == 200) == ok, resp.body
    assert (kb_dir / "texts.yml").exists() == ok
    if not ok:
        assert {e["field"] for e in resp.json["errors"]} == {"nn"}
        assert "{municipality}" in resp.json["errors"][0]["message"]
