"""tidings: read news the way an analyst would, and turn it into facts you can check.

Public API: `process`, `extract`, `ingest`, `open_store`, `Settings`, `load_settings`, `version`.
"""

from tidings.settings import Settings, load_settings

__version__ = "0.1.0"
version = __version__


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Lazy so that `import tidings` stays cheap (no spaCy, no SQLite) for the CLI's --help.
    if name in ("process", "extract", "ingest"):
        from tidings import api

        return getattr(api, name)
    if name == "open_store":
        from tidings.store import open_store

        return open_store
    raise AttributeError(f"module 'tidings' has no attribute {name!r}")


__all__ = ["Settings", "load_settings", "process", "extract", "ingest", "open_store", "version"]
