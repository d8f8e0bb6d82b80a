"""Run the replica portal from the command line.

Usage: ``python -m newscrawl.replica [--root DIR] [--host H] [--port N] [--log FILE]``.

Prints exactly one line, ``REPLICA http://HOST:PORT/``, once it is serving, then
serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from newscrawl.replica.server import ReplicaServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.replica", description="Serve the dzwww replica site."
    )
    parser.add_argument("--root", default=None, help="site directory (default: packaged site)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--log", default=None, help="append each request path to this file")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    server = ReplicaServer(args.root, host=args.host, port=args.port, request_log=args.log)
    try:
        server.start()
    except (OSError, FileNotFoundError) as exc:
        print(f"replica: cannot start: {exc}", file=sys.stderr)
        return 1
    print(f"REPLICA {server.url}", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
