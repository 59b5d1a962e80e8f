"""Rasa's built-in Sentry error reporting is switched off (no data leaves the servers)."""

from __future__ import annotations

import sentry_sdk

from bot import rasa_patches


def test_rasa_error_reporting_is_switched_off() -> None:
    import rasa.telemetry

    # What `rasa run` does at start, whatever RASA_TELEMETRY_ENABLED says.
    rasa.telemetry.initialize_error_reporting()
    client = sentry_sdk.Hub.current.client
    assert client is not None and client.dsn, "Rasa no longer starts Sentry: drop the patch"
    assert client.transport is not None

    rasa_patches.disable_error_reporting()

    client = sentry_sdk.Hub.current.client
    assert client is None or (not client.dsn and client.transport is None)
