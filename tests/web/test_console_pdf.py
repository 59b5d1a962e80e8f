"""One conversation as PDF for the archive: the text export, masked, readable back (pypdf)."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.web import console_pdf

from .conftest import Citizen, Server, Staff

QUESTION = "Kor lenge er biblioteket på Knarvik ope i dag? Svar til kari@example.no"
REPLY = "Biblioteket er ope til 19. Ærleg talt: øvst på Ålesundvegen."
NOTE = "Spurde om Knarvik – send vidare til Ørjan."
PDF = "application/pdf"


def _pdf_text(body: bytes) -> str:
    """The PDF's text with whitespace normalised (the PDF wraps long lines)."""
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def _staff(server: Server, username: str, role: str = "staff") -> Staff:
    server.add_staff(username, "Kari", role)
    staff = server.login(username)
    staff.queue()  # polling marks them present
    return staff


def _handled(server: Server, kari: Staff) -> Citizen:
    """A citizen asks, gets a person, Kari answers, writes a note and closes."""
    citizen = server.new_conversation()
    citizen.say(QUESTION)
    citizen.say("snakke")
    assert citizen.say("Ja", payload="/affirm")["state"] == "waiting"
    conv = f"/conversations/{citizen.conversation_id}"
    assert kari.call("POST", conv + "/claim").status == 200
    kari.call("POST", conv + "/messages", {"text": REPLY})
    kari.call("POST", conv + "/notes", {"text": NOTE})
    kari.call("POST", conv + "/close")
    return citizen


def test_export_pdf_holds_the_masked_conversation_and_the_notes(server: Server) -> None:
    kari = _staff(server, "kari")
    citizen = _handled(server, kari)
    resp = kari.call("GET", f"/conversations/{citizen.conversation_id}/export.pdf", csrf=False)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == PDF
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="samtale-{citizen.conversation_id[:8]}.pdf"'
    )
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.body.startswith(b"%PDF-")
    text = _pdf_text(resp.body)
    assert "Kor lenge er biblioteket på Knarvik ope i dag?" in text
    assert "kari@example.no" not in text  # masked before it was stored
    assert "[e-postadresse fjerna]" in text
    assert f"Kari: {REPLY}" in text  # æ, ø, å and the en dash survive
    assert NOTE in text
    assert citizen.conversation_id in text


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nn", "Alver innbyggjarservice – samtale"), ("en", "Alver service desk – conversation")],
)
def test_export_pdf_in_the_asked_language_matches_the_text_export(
    server: Server, language: str, heading: str
) -> None:
    kari = _staff(server, "kari")
    citizen = _handled(server, kari)
    base = f"/conversations/{citizen.conversation_id}/export"
    pdf = _pdf_text(kari.call("GET", f"{base}.pdf?lang={language}", csrf=False).body)
    plain = kari.call("GET", f"{base}.txt?lang={language}", csrf=False).text
    assert pdf.startswith(heading)
    assert pdf == " ".join(plain.split())  # the same text, word for word


@pytest.mark.parametrize("role", ["staff", "editor", "admin"])
def test_export_pdf_every_console_role_may_download(server: Server, role: str) -> None:
    kari = _staff(server, "kari")
    citizen = _handled(server, kari)
    other = _staff(server, f"u{role}", role)
    resp = other.call("GET", f"/conversations/{citizen.conversation_id}/export.pdf", csrf=False)
    assert (resp.status, resp.headers["Content-Type"]) == (200, PDF)


def test_export_pdf_needs_a_signed_in_staff_member_not_the_citizen_token(
    server: Server,
) -> None:
    kari = _staff(server, "kari")
    citizen = _handled(server, kari)
    path = f"/console/api/conversations/{citizen.conversation_id}/export.pdf"
    anonymous = server.request("GET", path)
    assert (anonymous.status, anonymous.json["error"]) == (401, "unauthorized")
    with_token = server.request("GET", path, headers={"Authorization": f"Bearer {citizen.token}"})
    assert (with_token.status, with_token.json["error"]) == (401, "unauthorized")


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/conversations/nope/export.pdf", 404, "not_found"),
        ("/conversations/{id}/export.pdf?lang=de", 400, "invalid_field"),
    ],
)
def test_export_pdf_bad_request_is_a_4xx_with_a_reason(
    server: Server, path: str, status: int, error: str
) -> None:
    kari = _staff(server, "kari")
    citizen = _handled(server, kari)
    resp = kari.call("GET", path.format(id=citizen.conversation_id), csrf=False)
    assert (resp.status, resp.json["error"]) == (status, error)


WHEN = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("x" * 3000, "x" * 3000),  # one long word is wrapped by character, not lost
        ("Emoji 🙂 og ← pil", "Emoji og ← pil"),  # no emoji glyph in DejaVu Sans: left out
        ("Łódź, Αθήνα, Москва", "Łódź, Αθήνα, Москва"),
        ("Kontroll\x01teikn\x07og\ttabulator", "Kontroll teikn og tabulator"),
    ],
)
def test_conversation_pdf_survives_odd_text(line: str, shown: str) -> None:
    text = f"Samtale\nStart: i dag\n\n{line}\n"
    body = console_pdf.conversation_pdf(text, title="t", created_at=WHEN)
    pdf = _pdf_text(body)
    assert pdf.startswith("Samtale Start: i dag")
    assert pdf.replace(" ", "").endswith(shown.replace(" ", ""))


def test_conversation_pdf_is_the_same_for_the_same_input() -> None:
    one = console_pdf.conversation_pdf("Samtale\n\nHei", title="t", created_at=WHEN)
    two = console_pdf.conversation_pdf("Samtale\n\nHei", title="t", created_at=WHEN)
    assert one == two


def test_missing_font_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    console_pdf.font_files.cache_clear()
    monkeypatch.setattr(console_pdf, "FONT_DIRS", (tmp_path, None))
    try:
        with pytest.raises(console_pdf.PdfFontMissing, match="fonts-dejavu-core"):
            console_pdf.font_files()
    finally:
        console_pdf.font_files.cache_clear()


@pytest.mark.parametrize("folder", [0, 1])
def test_dejavu_sans_is_found_in_matplotlib_or_debian(folder: int) -> None:
    # matplotlib's copy comes with the pinned venv; Debian's is the fallback.
    first = console_pdf.FONT_DIRS[folder]
    if folder == 1 and not (first and first.is_dir()):
        pytest.skip("fonts-dejavu-core is not installed (the matplotlib copy is used)")
    assert first is not None and (first / "DejaVuSans.ttf").is_file()
