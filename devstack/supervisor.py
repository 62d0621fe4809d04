"""The supervisor of the local stack: starts the children, watches them, stops them.

How the processes fit together::

    python -m devstack (this supervisor)
    ├── devstack.moto_process   moto server mode: the AWS (DynamoDB, SES, SNS, ...)
    ├── devstack.bootstrap      runs once: tables from the models, SES sender, demo data
    └── devstack.app_host       the Chalice app: REST (Chalice local), websocket gateway,
                                Management API emulation, sweeper, outbox, status page

Each child is started when the one before it is ready. On Ctrl-C or SIGTERM every child is
stopped (SIGTERM, bounded wait, SIGKILL) and the supervisor exits 0; if a child dies, the
supervisor says which, stops the others and exits 1.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Sequence

from devstack import demo, logs
from devstack.children import Child, StartupFailed, StopFlag, StopRequested
from devstack.environment import child_environment
from devstack.options import StackOptions, parse, to_argv

logger = logging.getLogger("devstack")

MOTO_READY_TIMEOUT = 30.0
BOOTSTRAP_TIMEOUT = 120.0
APP_READY_TIMEOUT = 60.0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    logs.configure()
    if options.host not in ("127.0.0.1", "localhost"):
        logger.warning("binding to %s: the stack has no authentication", options.host)
    busy = _busy_ports(options)
    if busy:
        logger.error(
            "port %s already in use; choose others with --port, --moto-port, --api-port",
            ", ".join(map(str, busy)),
        )
        return 1
    stop = StopFlag()
    signal.signal(signal.SIGINT, stop.request)
    signal.signal(signal.SIGTERM, stop.request)
    started: list[Child] = []
    try:
        servers = _start_stack(options, stop, started)
        print(banner(options), flush=True)
        return _watch(servers, stop)
    except StopRequested:
        return 0
    except StartupFailed as failure:
        logger.error("the stack could not start: %s", failure)
        return 1
    finally:
        logger.info("stopping")
        for child in reversed(started):
            child.stop()
        logger.info("stopped")


def _start_stack(options: StackOptions, stop: StopFlag, started: list[Child]) -> list[Child]:
    """Start moto, run the bootstrap, start the app host; return the long-running ones."""
    env = child_environment(options)
    moto_args = [f"--host={options.host}", f"--port={options.moto_port}"]
    moto = _start(Child("moto", "devstack.moto_process", moto_args, env=env), started)
    moto.wait_until_ready(
        f"{options.moto_url}/moto-api/data.json", timeout=MOTO_READY_TIMEOUT, stop=stop
    )
    bootstrap = _start(Child("bootstrap", "devstack.bootstrap", [], env=env), started)
    bootstrap.wait_for_success(timeout=BOOTSTRAP_TIMEOUT, stop=stop)
    app_host = _start(Child("app host", "devstack.app_host", to_argv(options), env=env), started)
    app_host.wait_until_ready(
        f"{options.front_url}/api/health", timeout=APP_READY_TIMEOUT, stop=stop
    )
    return [moto, app_host]


def banner(options: StackOptions) -> str:
    return f"""
Vestibule's local stack is running. Open the status page first:

  Status page   {options.status_url}
  Web UI        {options.front_url}/
  Outbox        {options.outbox_url}   (SMS and emails sent through moto)
  REST API      {options.front_url}/api/   (Chalice local server: {options.api_url}/api/)
  WebSocket     {options.websocket_url}?ticket=...
  AWS (moto)    {options.moto_url}   (dashboard: {options.moto_url}/moto-api/)

  Demo clinic     {demo.CLINIC_NAME} ({demo.CLINIC_ID})
  Demo clinician  {demo.CLINICIAN_NAME} ({demo.CLINICIAN_ID}), signs in as {demo.CLINICIAN_EMAIL}
  Magic-link sign-in arrives with the invitations work; its emails will appear in the outbox.

Press Ctrl-C to stop.
"""


def _busy_ports(options: StackOptions) -> list[int]:
    """Ports something already listens on (another stack?): starting would only confuse."""
    busy = []
    for port in (options.port, options.moto_port, options.api_port):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((options.host, port))
            except OSError:
                busy.append(port)
    return busy


def _start(child: Child, started: list[Child]) -> Child:
    logger.info("starting %s", child.name)
    child.start()
    started.append(child)
    return child


def _watch(children: list[Child], stop: StopFlag) -> int:
    """Wait for Ctrl-C / SIGTERM (0) or the death of a child (1)."""
    while not stop.sleep(0.5):
        for child in children:
            if child.exit_code is not None:
                logger.error(
                    "%s stopped unexpectedly (exit code %s); stopping the others",
                    child.name,
                    child.exit_code,
                )
                return 1
    return 0
