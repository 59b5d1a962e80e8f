"""Rasa's built-in Sentry error reporting is switched off (no data leaves the servers)."""

from __future__ import annotations

import pytest
import sentry_sdk

from bot import rasa_patches


def test_rasa_error_reporting_is_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.telemetry

    # What `rasa run` does at start when telemetry is on (Rasa's default without our
    # Makefile and bin/run, which turn it off).
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    rasa.telemetry.initialize_error_reporting()
    client = sentry_sdk.Hub.current.client
    assert client is not None and client.dsn, "Rasa no longer starts Sentry: drop the patch"
    assert client.transport is not None

    rasa_patches.disable_error_reporting()

    client = sentry_sdk.Hub.current.client
    assert client is None or (not client.dsn and client.transport is None)
