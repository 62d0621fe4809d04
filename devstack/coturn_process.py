"""coturn, Debian's TURN server (`turnserver`), as a child of the local stack.

`python -m devstack.coturn_process --host 127.0.0.1 --port 3490 --relay-ports 49160-49359`
writes a configuration into a private temporary directory and runs `turnserver -c` on it:
STUN and TURN over UDP and TCP on `--host` only, relayed candidates on `--relay-ports`, no
TLS, no CLI, logs on our stdout. Credentials follow the TURN REST API scheme
(`use-auth-secret`): the secret is `VESTIBULE_TURN_SECRET`, the one the app signs its
short-lived credentials with (`chalicelib.media.turn`). Peers on loopback are allowed
(everything here is on this machine), which coturn rightly warns about: local use only.
SIGINT or SIGTERM stop turnserver; the directory goes with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from devstack import logs
from devstack.environment import TURN_SECRET_VARIABLE
from devstack.parent_watch import exit_with_parent

INSTALL_HINT = (
    "coturn is not installed: `make run` installs Debian's package, "
    "or run `sudo apt-get install coturn`"
)
REALM = "vestibule.local"

logger = logging.getLogger("devstack")


def config_text(*, host: str, port: int, relay_ports: str, secret: str, directory: Path) -> str:
    low, _, high = relay_ports.partition("-")
    lines = [
        f"listening-ip={host}",
        f"listening-port={port}",
        f"min-port={low}",
        f"max-port={high}",
        f"realm={REALM}",
        "use-auth-secret",
        f"static-auth-secret={secret}",
        "fingerprint",
        "no-tls",
        "no-dtls",
        "no-cli",
        "no-rfc5780",
        "no-software-attribute",
        "allow-loopback-peers",
        "log-file=stdout",
        "simple-log",
        f"pidfile={directory / 'turnserver.pid'}",
        f"userdb={directory / 'turndb'}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.coturn_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--relay-ports", required=True)
    args = parser.parse_args(argv)
    logs.configure()
    turnserver = shutil.which("turnserver")
    if turnserver is None:
        logger.error(INSTALL_HINT)
        return 3
    with tempfile.TemporaryDirectory(prefix="vestibule-coturn-") as name:
        directory = Path(name)
        config = directory / "turnserver.conf"
        config.touch(mode=0o600)
        config.write_text(
            config_text(
                host=args.host,
                port=args.port,
                relay_ports=args.relay_ports,
                secret=os.environ[TURN_SECRET_VARIABLE],
                directory=directory,
            )
        )
        return _run(turnserver, config)


def _run(turnserver: str, config: Path) -> int:
    process = subprocess.Popen([turnserver, "-c", str(config)], stdin=subprocess.DEVNULL)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    exit_with_parent()
    code = process.wait()
    return 0 if stopping else code


if __name__ == "__main__":
    raise SystemExit(main())
