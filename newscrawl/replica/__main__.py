"""Run the replica portal from the command line.

Usage: ``python -m newscrawl.replica [--root DIR] [--host H] [--port N] [--log FILE]``.

Prints exactly one line, ``REPLICA http://HOST:PORT/``, once it is serving, then
serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import sys

from newscrawl.replica.server import ReplicaServer, serve_until_signalled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica", description="Serve the dzwww replica site."
    )
    parser.add_argument("--root", default=None, help="site directory (default: packaged site)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--log", default=None, help="append each request path to this file")
    args = parser.parse_args(argv)

    server = ReplicaServer(args.root, host=args.host, port=args.port, request_log=args.log)
    return serve_until_signalled(server, ["REPLICA {url}"], "replica")


if __name__ == "__main__":
    sys.exit(main())
