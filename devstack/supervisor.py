"""The supervisor of the local stack: starts the children, watches them, stops them.

How the processes fit together::

    python -m devstack (this supervisor)
    ├── devstack.moto_process          moto server mode: the AWS (DynamoDB, SES, SNS, ...)
    ├── devstack.bootstrap             runs once: tables from the models, SES sender, demo data
    ├── devstack.coturn_process        coturn (Debian's turnserver): STUN and TURN
    ├── devstack.media_worker_process  the media worker (`python -m media_worker`)
    └── devstack.app_host              the Chalice app: REST (Chalice local), websocket gateway,
                                       Management API emulation, sweeper, outbox, status page

moto and the bootstrap come first; then coturn, the media worker and the app host start
together and the supervisor waits until each answers. Without `turnserver` the stack still
runs, says how to install it, and its status page shows coturn failing. On Ctrl-C or
SIGTERM every child is stopped (SIGTERM, bounded wait, SIGKILL) and the supervisor exits 0;
if a child dies, the supervisor says which, stops the others and exits 1.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
from collections.abc import Sequence

from devstack import demo, logs, startup_report
from devstack.children import Child, StartupFailed, StopFlag, StopRequested
from devstack.coturn_process import INSTALL_HINT
from devstack.environment import child_environment, media_worker_environment, with_secrets
from devstack.options import StackOptions, parse, to_argv
from devstack.stun_probe import StunError, binding

logger = logging.getLogger("devstack")

MOTO_READY_TIMEOUT = 30.0
BOOTSTRAP_TIMEOUT = 120.0
APP_READY_TIMEOUT = 60.0
MEDIA_READY_TIMEOUT = 60.0
COTURN_READY_TIMEOUT = 15.0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    logs.configure()
    if options.host not in ("127.0.0.1", "localhost"):
        logger.warning("binding to %s: the stack has no authentication", options.host)
    busy = _busy_ports(options)
    if busy:
        logger.error(
            "port %s already in use; choose others with --port, --moto-port, --api-port, "
            "--media-port, --turn-port",
            ", ".join(map(str, busy)),
        )
        return 1
    stop = StopFlag()
    signal.signal(signal.SIGINT, stop.request)
    signal.signal(signal.SIGTERM, stop.request)
    started: list[Child] = []
    try:
        servers = _start_stack(options, stop, started)
        print(
            banner(options),
            startup_report.report(options),
            "\nPress Ctrl-C to stop.\n",
            sep="\n",
            flush=True,
        )
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
    """Start moto, run the bootstrap, start the others; return the long-running ones."""
    base = with_secrets(os.environ)
    env = child_environment(options, base)
    moto_args = [f"--host={options.host}", f"--port={options.moto_port}"]
    moto = _start(Child("moto", "devstack.moto_process", moto_args, env=env), started)
    moto.wait_until_ready(
        f"{options.moto_url}/moto-api/data.json", timeout=MOTO_READY_TIMEOUT, stop=stop
    )
    bootstrap = _start(Child("bootstrap", "devstack.bootstrap", [], env=env), started)
    bootstrap.wait_for_success(timeout=BOOTSTRAP_TIMEOUT, stop=stop)
    coturn = _start_coturn(options, env, started)
    worker_env = media_worker_environment(options, base, with_turn=coturn is not None)
    worker = _start(
        Child("media worker", "devstack.media_worker_process", [], env=worker_env), started
    )
    app_host = _start(Child("app host", "devstack.app_host", to_argv(options), env=env), started)
    if coturn is not None:
        coturn.wait_until(
            lambda: _stun_answers(options),
            f"no STUN answer on {options.turn_address}",
            timeout=COTURN_READY_TIMEOUT,
            stop=stop,
        )
    worker.wait_until_ready(f"{options.media_url}/health", timeout=MEDIA_READY_TIMEOUT, stop=stop)
    app_host.wait_until_ready(
        f"{options.front_url}/api/health", timeout=APP_READY_TIMEOUT, stop=stop
    )
    return [child for child in (moto, coturn, worker, app_host) if child is not None]


def _start_coturn(options: StackOptions, env: dict[str, str], started: list[Child]) -> Child | None:
    """Start coturn, or say how to install it and go on without (the status page shows it)."""
    if shutil.which("turnserver") is None:
        logger.warning("%s; the stack runs without TURN", INSTALL_HINT)
        return None
    arguments = [
        f"--host={options.host}",
        f"--port={options.turn_port}",
        f"--relay-ports={options.turn_relay_ports}",
    ]
    return _start(Child("coturn", "devstack.coturn_process", arguments, env=env), started)


def _stun_answers(options: StackOptions) -> bool:
    try:
        binding(options.host, options.turn_port, timeout=0.5)
    except StunError:
        return False
    return True


def banner(options: StackOptions) -> str:
    return f"""
Vestibule's local stack is running. Open the status page first:

  Status page   {options.status_url}
  Web UI        {options.front_url}/
  Outbox        {options.outbox_url}   (SMS and emails sent through moto)
  REST API      {options.front_url}/api/   (Chalice local server: {options.api_url}/api/)
  WebSocket     {options.websocket_url}?ticket=...
  AWS (moto)    {options.moto_url}   (dashboard: {options.moto_url}/moto-api/)
  Media worker  {options.media_url}   (control API signed by the app; /health, /ready;
                ICE on UDP {options.media_udp_ports})
  STUN / TURN   {options.turn_address}   (coturn; relays on UDP {options.turn_relay_ports})

  Demo clinic     {demo.CLINIC_NAME} ({demo.CLINIC_ID})
  Demo clinician  {demo.CLINICIAN_NAME} ({demo.CLINICIAN_ID}), signs in as {demo.CLINICIAN_EMAIL}
                  and a colleague, {demo.COLLEAGUE_NAME}, signs in as {demo.COLLEAGUE_EMAIL}
  Clinic sign-in  {options.front_url}/clinic/sign-in.html  (the magic link lands in the outbox)
  Media lab       {options.front_url}/dev/media   (open it in two tabs to call yourself)
"""


def _busy_ports(options: StackOptions) -> list[int]:
    """Ports something already listens on (another stack?): starting would only confuse."""
    wanted = [(port, socket.SOCK_STREAM) for port in options.tcp_ports]
    wanted.append((options.turn_port, socket.SOCK_DGRAM))
    busy = []
    for port, kind in wanted:
        with socket.socket(socket.AF_INET, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((options.host, port))
            except OSError:
                busy.append(port)
    return sorted(set(busy))


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
