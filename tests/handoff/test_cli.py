"""The staff user command line tool."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.handoff import HandoffStore, StaffRole
from bot.handoff.cli import main

PASSWORD = "eit-godt-passord"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_DATABASE_URL", raising=False)
    monkeypatch.setenv("HANDOFF_PASSWORD", PASSWORD)


def _users(db_url: str) -> dict[str, tuple[str, StaffRole, bool]]:
    with HandoffStore(db_url) as store:
        return {u.username: (u.first_name, u.role, u.active) for u in store.users.list()}


def test_add_user_and_log_in(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--database-url", db_url, "add-user", "kari", "--first-name", "Kari", "--role", "admin"]
    )
    assert code == 0
    assert "Created admin user 'kari'" in capsys.readouterr().out
    assert _users(db_url) == {"kari": ("Kari", StaffRole.ADMIN, True)}
    with HandoffStore(db_url) as store:
        assert store.users.authenticate("kari", PASSWORD) is not None


def test_database_url_option_after_the_command(db_url: str) -> None:
    assert main(["add-user", "kari", "--first-name", "Kari", "--database-url", db_url]) == 0
    assert _users(db_url) == {"kari": ("Kari", StaffRole.STAFF, True)}


def test_database_url_from_environment(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_DATABASE_URL", db_url)
    assert main(["add-user", "ola", "--first-name", "Ola"]) == 0
    assert "ola" in _users(db_url)


def test_default_database_creates_var_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["add-user", "kari", "--first-name", "Kari"]) == 0
    database = tmp_path / "var" / "handoff.sqlite3"
    assert database.is_file()
    assert "kari" in _users(f"sqlite:///{database}")


def test_duplicate_username_fails(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", db_url, "add-user", "kari", "--first-name", "Kari"]) == 0
    capsys.readouterr()
    code = main(["--database-url", db_url, "add-user", "KARI", "--first-name", "Kari 2"])
    assert code == 1
    assert "already exists" in capsys.readouterr().err
    assert _users(db_url) == {"kari": ("Kari", StaffRole.STAFF, True)}


def test_unknown_role_is_a_usage_error(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--database-url", db_url, "add-user", "kari", "--first-name", "Kari", "--role", "boss"]
    )
    assert code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err
    assert _users(db_url) == {}


def test_missing_first_name_is_a_usage_error(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", db_url, "add-user", "kari"]) == 2
    assert "--first-name" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_short_password_fails(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HANDOFF_PASSWORD", "kort")
    code = main(["--database-url", db_url, "add-user", "kari", "--first-name", "Kari"])
    assert code == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert _users(db_url) == {}


def test_invalid_username_fails(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--database-url", db_url, "add-user", "kari nordmann", "--first-name", "Kari"])
    assert code == 1
    assert "Invalid username" in capsys.readouterr().err


def test_interactive_password(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_PASSWORD")
    answers = iter(["interaktivt-passord", "interaktivt-passord"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["--database-url", db_url, "add-user", "kari", "--first-name", "Kari"]) == 0
    with HandoffStore(db_url) as store:
        assert store.users.authenticate("kari", "interaktivt-passord") is not None


def test_interactive_passwords_must_match(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HANDOFF_PASSWORD")
    answers = iter(["interaktivt-passord", "anna-passord-her"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["--database-url", db_url, "add-user", "kari", "--first-name", "Kari"]) == 1
    assert "differ" in capsys.readouterr().err
    assert _users(db_url) == {}


def test_list_users(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", db_url, "list-users"]) == 0
    assert "No staff users yet" in capsys.readouterr().out
    main(["--database-url", db_url, "add-user", "ola", "--first-name", "Ola"])
    main(["--database-url", db_url, "add-user", "anne", "--first-name", "Anne", "--role", "editor"])
    capsys.readouterr()
    assert main(["--database-url", db_url, "list-users"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["ID", "USERNAME"]
    assert [line.split()[1] for line in lines[1:]] == ["anne", "ola"]
    assert "editor" in lines[1] and "yes" in lines[1]


def test_deactivate_and_activate(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--database-url", db_url, "add-user", "kari", "--first-name", "Kari"])
    assert main(["--database-url", db_url, "deactivate", "Kari"]) == 0
    assert "is now deactivated" in capsys.readouterr().out
    assert _users(db_url)["kari"][2] is False
    with HandoffStore(db_url) as store:
        assert store.users.authenticate("kari", PASSWORD) is None
    assert main(["--database-url", db_url, "activate", "kari"]) == 0
    assert _users(db_url)["kari"][2] is True


def test_deactivate_unknown_user_fails(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", db_url, "deactivate", "nobody"]) == 1
    assert "No staff user named 'nobody'" in capsys.readouterr().err


def test_unusable_database_url_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--database-url", "nosuchdialect://x/y", "list-users"]) == 1
    assert "error:" in capsys.readouterr().err


def test_database_at_an_unknown_revision_fails_cleanly(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with HandoffStore(db_url) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'xyz'"))
    assert main(["--database-url", db_url, "list-users"]) == 1
    err = capsys.readouterr().err
    assert "revision 'xyz'" in err
    assert "upgrade the bot or restore a matching backup" in err
