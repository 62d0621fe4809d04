"""Starts a media worker on Fargate and keeps its task from scale-in while it holds calls.

Fargate puts neither the task's private nor its public address in the environment, and
the worker needs both: the app reaches the control API at the private one, browsers send
media to the public one. Before `python -m media_worker` this script

- reads the private IPv4 and the task id from the ECS task metadata endpoint (v4) and sets
  `VESTIBULE_MEDIA_CONTROL_URL` (and the worker id, one per task);
- asks the STUN server in `VESTIBULE_MEDIA_STUN_URL` for the address its packets arrive
  from (Fargate's 1:1 NAT) and sets `VESTIBULE_MEDIA_PUBLIC_ADDRESS`; without an answer it
  starts anyway and browsers reach it through TURN.

Then it runs the worker as its child, passes SIGTERM on (the worker drains), and every
`CHECK_SECONDS` reads the worker's load from its registry entry; it prints the load as a
CloudWatch embedded-format metric (`MediaWorkerLoad`, which the service scales on), and
while the worker holds
calls (load > 0) the task is protected from scale-in through the ECS agent's
task-protection endpoint, for `PROTECTION_MINUTES` at a time so that the protection lapses
if this supervisor dies; at load 0 the protection is removed.

It runs in the worker's image (the standard library, and the worker's own registry
binding, `media_worker.registration`): the task definition passes this file's source to
`python -c` (`infra/components/media.py`), so the image stays as `media_worker/Dockerfile`
builds it. Outside ECS (no `ECS_AGENT_URI`) it simply becomes the worker.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping, MutableMapping

_MAGIC_COOKIE = 0x2112A442
_BINDING_REQUEST = 0x0001
_BINDING_SUCCESS = 0x0101
_XOR_MAPPED_ADDRESS = 0x0020
_MAPPED_ADDRESS = 0x0001
#: How often the supervisor reads the worker's load, and how long one protection lasts.
CHECK_SECONDS = 30
PROTECTION_MINUTES = 10
#: The load metric the service scales on (CloudWatch embedded metric format on stdout).
LOAD_METRIC = "MediaWorkerLoad"
LOAD_DIMENSION = {"Service": "media-workers"}


def task_addresses(metadata_uri: str, timeout: float = 2.0) -> tuple[str, str]:
    """(private IPv4, task id) from the task metadata endpoint's `/task` document."""
    with urllib.request.urlopen(f"{metadata_uri}/task", timeout=timeout) as response:  # noqa: S310
        task = json.load(response)
    task_id = str(task["TaskARN"]).rsplit("/", 1)[-1]
    for container in task.get("Containers", []):
        for network in container.get("Networks", []):
            for address in network.get("IPv4Addresses", []):
                return str(ipaddress.IPv4Address(address)), task_id
    raise LookupError("the task metadata lists no IPv4 address")


def stun_server(url: str) -> tuple[str, int]:
    """`stun:host[:port]` as (host, port); 3478 by default."""
    if not url.startswith("stun:"):
        raise ValueError(f"not a stun: URL: {url!r}")
    host, _, port = url[len("stun:") :].partition(":")
    return host, int(port or 3478)


def binding_request(transaction_id: bytes) -> bytes:
    return struct.pack("!HHI", _BINDING_REQUEST, 0, _MAGIC_COOKIE) + transaction_id


def mapped_address(response: bytes, transaction_id: bytes) -> str | None:
    """The IPv4 address a STUN success response reports, or None if it is not one."""
    if len(response) < 20:
        return None
    kind, length, cookie = struct.unpack("!HHI", response[:8])
    if kind != _BINDING_SUCCESS or cookie != _MAGIC_COOKIE or response[8:20] != transaction_id:
        return None
    position, end = 20, min(len(response), 20 + length)
    fallback = None
    while position + 4 <= end:
        attribute, size = struct.unpack("!HH", response[position : position + 4])
        value = response[position + 4 : position + 4 + size]
        if (
            attribute in (_XOR_MAPPED_ADDRESS, _MAPPED_ADDRESS)
            and len(value) >= 8
            and value[1] == 1
        ):
            (raw,) = struct.unpack("!I", value[4:8])
            if attribute == _XOR_MAPPED_ADDRESS:
                return str(ipaddress.IPv4Address(raw ^ _MAGIC_COOKIE))
            fallback = str(ipaddress.IPv4Address(raw))
        position += 4 + size + (-size % 4)
    return fallback


def public_address(server: tuple[str, int], timeout: float = 1.0, attempts: int = 3) -> str | None:
    """Ask a STUN server which address our UDP packets come from."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for _ in range(attempts):
            transaction_id = secrets.token_bytes(12)
            try:
                sock.sendto(binding_request(transaction_id), server)
                response, _ = sock.recvfrom(2048)
            except OSError:
                continue
            address = mapped_address(response, transaction_id)
            if address is not None:
                return address
    return None


def prepare(environ: MutableMapping[str, str]) -> None:
    """Fill in the addresses the worker needs; leave what the operator set alone."""
    port = environ.get("VESTIBULE_MEDIA_CONTROL_PORT", "8080")
    metadata_uri = environ.get("ECS_CONTAINER_METADATA_URI_V4")
    if metadata_uri and "VESTIBULE_MEDIA_CONTROL_URL" not in environ:
        private, task_id = task_addresses(metadata_uri)
        environ["VESTIBULE_MEDIA_CONTROL_URL"] = f"http://{private}:{port}"
        environ.setdefault("VESTIBULE_MEDIA_WORKER_ID", f"worker-{task_id}")
    stun_url = environ.get("VESTIBULE_MEDIA_STUN_URL")
    if stun_url and "VESTIBULE_MEDIA_PUBLIC_ADDRESS" not in environ:
        address = public_address(stun_server(stun_url))
        if address is not None:
            environ["VESTIBULE_MEDIA_PUBLIC_ADDRESS"] = address
        else:
            print("media_start: no STUN answer; starting without a public address", file=sys.stderr)


def protection_request(load: int) -> dict[str, object]:
    """The task-protection state for a worker holding `load` participants."""
    if load > 0:
        return {"ProtectionEnabled": True, "ExpiresInMinutes": PROTECTION_MINUTES}
    return {"ProtectionEnabled": False}


def set_protection(agent_uri: str, load: int) -> None:
    """PUT the state to the ECS agent's task-protection endpoint."""
    request = urllib.request.Request(  # noqa: S310 (the agent's own http endpoint)
        f"{agent_uri}/task-protection/v1/state",
        data=json.dumps(protection_request(load)).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


def registry_load(environ: Mapping[str, str]) -> Callable[[], int]:
    """Reads this worker's load from its registry entry (0 when it has none)."""
    from chalicelib.store.models import MediaWorker
    from media_worker.registration import bind_table

    stage = environ["VESTIBULE_STAGE"]
    bind_table(
        table_prefix=environ.get("VESTIBULE_TABLE_PREFIX", f"vestibule-{stage}-"),
        region=environ.get("AWS_REGION") or environ["AWS_DEFAULT_REGION"],
    )
    worker_id = environ["VESTIBULE_MEDIA_WORKER_ID"]

    def load() -> int:
        try:
            return int(MediaWorker.get(worker_id).load)
        except MediaWorker.DoesNotExist:
            return 0

    return load


def load_metric_line(namespace: str, load: int, now_ms: int) -> str:
    """One log line CloudWatch turns into the `MediaWorkerLoad` metric (embedded format)."""
    return json.dumps(
        {
            "_aws": {
                "Timestamp": now_ms,
                "CloudWatchMetrics": [
                    {
                        "Namespace": namespace,
                        "Dimensions": [list(LOAD_DIMENSION)],
                        "Metrics": [{"Name": LOAD_METRIC, "Unit": "Count"}],
                    }
                ],
            },
            **LOAD_DIMENSION,
            LOAD_METRIC: load,
        }
    )


def print_load(namespace: str) -> Callable[[int], None]:
    def report(load: int) -> None:
        print(load_metric_line(namespace, load, int(time.time() * 1000)), flush=True)

    return report


def supervise(
    worker: subprocess.Popen[bytes],
    *,
    load: Callable[[], int],
    protect: Callable[[int], None],
    report: Callable[[int], None] = lambda load: None,
    check_seconds: float = CHECK_SECONDS,
) -> int:
    """Until the worker exits: report its load, protect the task while it holds calls.

    Returns the worker's exit code.
    """
    protected = False
    while True:
        try:
            return worker.wait(timeout=check_seconds)
        except subprocess.TimeoutExpired:
            pass
        try:
            current = load()
            report(current)
            if current > 0 or protected:
                protect(current)
                protected = current > 0
        except Exception as error:  # noqa: BLE001 (a failed check must not stop the worker)
            print(f"media_start: protection check failed: {type(error).__name__}", file=sys.stderr)


def main() -> None:
    prepare(os.environ)
    command = [sys.executable, "-m", "media_worker"]
    agent_uri = os.environ.get("ECS_AGENT_URI")
    if not agent_uri:
        os.execvp(command[0], command)  # noqa: S606
    worker = subprocess.Popen(command)  # noqa: S603
    signal.signal(signal.SIGTERM, lambda *_: worker.send_signal(signal.SIGTERM))
    sys.exit(
        supervise(
            worker,
            load=registry_load(os.environ),
            protect=functools.partial(set_protection, agent_uri),
            report=print_load(f"Vestibule/{os.environ['VESTIBULE_STAGE']}"),
        )
    )


if __name__ == "__main__":
    main()
