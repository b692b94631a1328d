"""`python -m tidings.web serve DB` / `python -m tidings.web upgrade DB`, until the CLI has them."""

from __future__ import annotations

import argparse
import logging
import sys

from tidings.errors import TidingsError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run one command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m tidings.web", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve a store read-only over HTTP")
    serve_cmd.add_argument("db")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    upgrade_cmd = commands.add_parser("upgrade", help="add the web tables to an existing store")
    upgrade_cmd.add_argument("db")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            from tidings.web.server import serve

            serve(args.db, args.host, args.port)
        else:
            from tidings.web.schema import upgrade_store

            applied = upgrade_store(args.db)
            print(f"{args.db}: applied {', '.join(applied) if applied else 'nothing (up to date)'}")
    except TidingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
