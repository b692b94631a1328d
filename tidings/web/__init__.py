"""The analyst's web UI and HTTP API: views return dicts; HTML and JSON are two renderings.

`make_app(db_path)` builds the ASGI app over a store (read-only); `serve(db)` runs it under
uvicorn on 127.0.0.1:8000. Every page at /path has a JSON twin at /path.json, and every list
is exported whole at /list.csv.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tidings.web.app import make_app
    from tidings.web.server import serve

__all__ = ["make_app", "serve"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import tidings` stays light for users who never serve.
    if name == "make_app":
        from tidings.web.app import make_app

        return make_app
    if name == "serve":
        from tidings.web.server import serve

        return serve
    raise AttributeError(f"module 'tidings.web' has no attribute {name!r}")
