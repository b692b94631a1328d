"""Run the web app under uvicorn: `serve(db)` is what `tidings serve` calls."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1", "[::1]"]
"""Host headers accepted when the server listens on a loopback address only."""


def is_loopback(host: str) -> bool:
    """True when `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    db: str | Path, host: str = "127.0.0.1", port: int = 8000, *, log_level: str = "info"
) -> None:
    """Serve the store at `db` read-only on http://host:port until interrupted.

    Binds 127.0.0.1 by default, and then answers only requests addressed to this machine's
    own names (a guard against DNS rebinding). Raises StoreError before listening when the
    store cannot be served (absent, not a store, lacking the web tables).
    """
    import uvicorn

    from tidings.web.app import make_app

    allowed = [host, *LOOPBACK_NAMES] if is_loopback(host) else None
    if allowed is None:
        log.warning("serving %s on %s: anyone who can reach this address can read the store",
                    db, host)
    app = make_app(db, allowed_hosts=allowed)
    log.info("serving %s on http://%s:%d", db, host, port)
    uvicorn.run(app, host=host, port=port, log_level=log_level)
