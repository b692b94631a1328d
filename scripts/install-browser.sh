#!/usr/bin/env bash
# Install what tests/test_web_browser.py needs: Debian's chromium and Playwright for Python.
# Idempotent; safe to run on every CI start. Never runs `playwright install` (that downloads a
# browser build of its own, which this environment cannot fetch): the tests drive
# /usr/bin/chromium through Playwright's executable_path.
#   usage: scripts/install-browser.sh [VENV]      (default .venv)
set -euo pipefail
VENV=${1:-.venv}

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null | head -n 1

if ! "$VENV/bin/python" -c "import playwright" >/dev/null 2>&1; then
    "$VENV/bin/pip" install --quiet "playwright>=1.45"
fi
"$VENV/bin/python" -c "import importlib.metadata as m; print('playwright', m.version('playwright'))"
