"""python -m bot.web [--host H] [--port P]: serve the web app (defaults: TILLVERKA_WEB_HOST /
TILLVERKA_WEB_PORT, else 127.0.0.1:8000, reachable from this machine only)."""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web

from bot.runner import listen_address
from bot.web.app import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.web", description=__doc__)
    try:
        host, port = listen_address(os.environ)
    except ValueError as exc:
        parser.error(str(exc))
    parser.add_argument("--host", default=host, help=f"address to bind (default {host})")
    parser.add_argument("--port", type=_port, default=port, help=f"port (default {port})")
    return parser.parse_args(argv)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    web.run_app(
        create_app(),
        host=args.host,
        port=args.port,
        print=lambda _: logging.getLogger("bot.web").info(
            "Tillverka web app on http://%s:%d", args.host, args.port
        ),
    )


if __name__ == "__main__":
    main()
