#!/bin/sh
# Saves the README's console screenshots (docs/screenshots/console-*.png): runs the
# working-day browser test (two staff members, three citizens) with SCREENSHOT_DIR set.
# Usage, from anywhere: tests/browser/console_screenshots.sh
set -eu
cd "$(dirname "$0")/../.."
SCREENSHOT_DIR=docs/screenshots PYTHONPATH=. .venv/bin/pytest -q tests/browser/test_console_workday.py
ls -l docs/screenshots/console-*.png
