"""Settings, tokens, rate limiter and the staff-user command."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.handoff import HandoffStore
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.settings import SettingsError, WebSettings
from bot.web.tokens import ConversationTokens
from tests.concurrency import race

ROOT = Path(__file__).resolve().parents[2]


def test_settings_defaults_create_var_and_secret_file(tmp_path: Path) -> None:
    settings = WebSettings.from_env({}, root=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'handoff.sqlite3'}"
    assert (tmp_path / "var").is_dir()
    key_file = tmp_path / "var" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.secret_key == key_file.read_text().strip().encode()
    assert (settings.max_message_chars, settings.rate_limit_conversation_per_min) == (1000, 20)
    assert (settings.rate_limit_ip_per_min, settings.handoff_claim_timeout_seconds) == (60, 180)
    assert (settings.staff_presence_seconds, settings.retention_days) == (60, 30)
    assert (settings.long_poll_seconds, settings.console_session_hours) == (25, 10)
    assert settings.console_cookie_secure is False and settings.always_open is False
    # The key is generated once and then reused.
    assert WebSettings.from_env({}, root=tmp_path).secret_key == settings.secret_key


def test_settings_read_every_variable(tmp_path: Path) -> None:
    env = {
        "HANDOFF_DATABASE_URL": "sqlite:///db/x.sqlite3",
        "BOT_SECRET_KEY": "k" * 40,
        "MAX_MESSAGE_CHARS": "500",
        "RATE_LIMIT_CONVERSATION_PER_MIN": "5",
        "RATE_LIMIT_IP_PER_MIN": "7",
        "HANDOFF_CLAIM_TIMEOUT_SECONDS": "30",
        "STAFF_PRESENCE_SECONDS": "20",
        "RETENTION_DAYS": "2",
        "LONG_POLL_SECONDS": "10",
        "CONSOLE_COOKIE_SECURE": "1",
        "CONSOLE_SESSION_HOURS": "3",
        "HANDOFF_ALWAYS_OPEN": "1",
    }
    s = WebSettings.from_env(env, root=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'db' / 'x.sqlite3'}"
    assert s.secret_key == b"k" * 40
    assert (s.max_message_chars, s.rate_limit_conversation_per_min, s.rate_limit_ip_per_min) == (
        500,
        5,
        7,
    )
    assert (s.handoff_claim_timeout_seconds, s.staff_presence_seconds, s.retention_days) == (
        30,
        20,
        2,
    )
    assert (s.long_poll_seconds, s.console_session_hours) == (10, 3)
    assert s.console_cookie_secure and s.always_open
    assert not (tmp_path / "var" / "secret.key").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_MESSAGE_CHARS", "many"),
        ("MAX_MESSAGE_CHARS", "0"),
        ("RATE_LIMIT_IP_PER_MIN", "-1"),
        ("LONG_POLL_SECONDS", "99"),
        ("CONSOLE_COOKIE_SECURE", "maybe"),
        ("HANDOFF_ALWAYS_OPEN", "2"),
        ("BOT_SECRET_KEY", "short"),
        ("HANDOFF_DATABASE_URL", "not a url"),
        ("HANDOFF_DATABASE_URL", "sqlite://"),
    ],
)
def test_bad_settings_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        WebSettings.from_env({"BOT_SECRET_KEY": "k" * 40, name: value}, root=tmp_path)


def test_tokens_are_bound_to_the_id() -> None:
    tokens = ConversationTokens(b"s" * 32)
    token = tokens.issue("abc")
    assert tokens.verify("abc", token)
    assert not tokens.verify("abd", token)
    assert not tokens.verify("abc", token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not tokens.verify("abc", None)
    assert not tokens.verify("abc", "")
    assert not ConversationTokens(b"t" * 32).verify("abc", token)


def test_sliding_window_limiter() -> None:
    now = [100.0]
    limiter = SlidingWindowLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a") == 60
    assert limiter.hit("b") == 0  # keys are independent
    now[0] += 30
    assert limiter.hit("a") == 30
    now[0] += 30.5
    assert limiter.hit("a") == 0  # the first three slid out of the window


def test_console_module_adds_user(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    env = {**os.environ, "HANDOFF_DATABASE_URL": url, "HANDOFF_PASSWORD": "riktig-hest-batteri"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.console",
            "add-user",
            "Kari",
            "--first-name",
            "Kari",
            "--role",
            "editor",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with HandoffStore(url) as store:
        user = store.users.authenticate("kari", "riktig-hest-batteri")
        assert user is not None and user.role.value == "editor" and user.first_name == "Kari"


def test_settings_started_together_share_one_generated_key(tmp_path: Path) -> None:
    """Processes starting at once in one folder all get the key the first one wrote."""
    for round_ in range(20):
        root = tmp_path / str(round_)
        keys = race([lambda root=root: WebSettings.from_env({}, root=root).secret_key] * 6)
        assert all(isinstance(key, bytes) for key in keys), keys
        assert len(set(keys)) == 1
        assert keys[0] == (root / "var" / "secret.key").read_text().strip().encode()


def test_settings_name_an_unusable_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "secret.key"
    key_file.parent.mkdir()
    key_file.write_text("short\n")
    with pytest.raises(SettingsError, match="holds no usable key.*Delete the file"):
        WebSettings.from_env({}, root=tmp_path)
