"""``python -m demo_portal [--host H] [--port P] [--as-of YYYY-MM-DD]``: serve until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date

from demo_portal.server import DemoPortal


def main(argv: list[str] | None = None) -> int:
    """Serve the portal; print its URL on stdout; stop on Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m demo_portal", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="content is generated relative to this date (default: today in Asia/Shanghai)",
    )
    args = parser.parse_args(argv)
    portal = DemoPortal(args.host, args.port, args.as_of)
    try:
        portal.start()
    except OSError as exc:
        print(f"demo_portal: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(portal.url, flush=True)
    print(
        f"demo_portal: 演示县 portal as of {portal.as_of.isoformat()} at {portal.url}/ "
        "(Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    while not stop.wait(0.5):
        pass
    portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
