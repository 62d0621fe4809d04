"""The AWS of the local stack: moto in server mode, in its own process.

`python -m devstack.moto_process --host 127.0.0.1 --port 4566` serves until SIGINT or
SIGTERM, then stops the server and exits 0. Request lines are not logged: the status page
polls moto, and the outbox shows what was sent.
"""

from __future__ import annotations

import argparse
import logging
import signal
from collections.abc import Sequence

from moto.server import ThreadedMotoServer

from devstack.parent_watch import exit_with_parent

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.moto_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Blocked before any thread starts, so every thread inherits the mask and only the
    # main thread's sigwait() receives the stop signal.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    exit_with_parent()
    signal.sigwait(_STOP_SIGNALS)
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
