"""The worker's start script learns the task's private and public addresses on Fargate.

A fake task metadata endpoint (HTTP) and a fake STUN server (UDP) on loop-back stand in for
ECS and coturn.
"""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from infra import media_start

TASK_DOCUMENT = {
    "TaskARN": "arn:aws:ecs:eu-west-1:111111111111:task/vestibule/0123abcd",
    "Containers": [{"Networks": [{"NetworkMode": "awsvpc", "IPv4Addresses": ["10.0.1.23"]}]}],
}
PUBLIC = "203.0.113.7"


@pytest.fixture
def metadata_uri() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(TASK_DOCUMENT).encode() if self.path.endswith("/task") else b""
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v4/abc"
    server.shutdown()
    server.server_close()


def success_response(transaction_id: bytes, address: str, *, xor: bool = True) -> bytes:
    raw = struct.unpack("!I", socket.inet_aton(address))[0]
    kind = 0x0020 if xor else 0x0001
    value = struct.pack("!BBHI", 0, 1, 4242, raw ^ 0x2112A442 if xor else raw)
    attribute = struct.pack("!HH", kind, len(value)) + value
    return struct.pack("!HHI", 0x0101, len(attribute), 0x2112A442) + transaction_id + attribute


@pytest.fixture
def stun_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)

    def answer() -> None:
        try:
            request, peer = sock.recvfrom(2048)
        except OSError:
            return
        sock.sendto(success_response(request[8:20], PUBLIC), peer)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"stun:127.0.0.1:{sock.getsockname()[1]}"
    thread.join(timeout=5)
    sock.close()


def test_the_control_url_and_worker_id_come_from_the_task_metadata(metadata_uri: str) -> None:
    environ = {"ECS_CONTAINER_METADATA_URI_V4": metadata_uri}
    media_start.prepare(environ)
    assert environ["VESTIBULE_MEDIA_CONTROL_URL"] == "http://10.0.1.23:8080"
    assert environ["VESTIBULE_MEDIA_WORKER_ID"] == "worker-0123abcd"
    assert "VESTIBULE_MEDIA_PUBLIC_ADDRESS" not in environ


def test_the_public_address_is_what_the_stun_server_saw(stun_url: str) -> None:
    environ = {"VESTIBULE_MEDIA_STUN_URL": stun_url}
    media_start.prepare(environ)
    assert environ["VESTIBULE_MEDIA_PUBLIC_ADDRESS"] == PUBLIC


def test_without_a_stun_answer_the_worker_starts_without_a_public_address() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        address = media_start.public_address(silent.getsockname(), timeout=0.05, attempts=2)
    finally:
        silent.close()
    assert address is None


def test_values_the_operator_set_are_kept(metadata_uri: str) -> None:
    environ = {
        "ECS_CONTAINER_METADATA_URI_V4": metadata_uri,
        "VESTIBULE_MEDIA_CONTROL_URL": "http://10.9.9.9:9000",
    }
    media_start.prepare(environ)
    assert environ["VESTIBULE_MEDIA_CONTROL_URL"] == "http://10.9.9.9:9000"


def test_a_response_to_another_request_is_ignored() -> None:
    ours, theirs = b"a" * 12, b"b" * 12
    assert media_start.mapped_address(success_response(theirs, PUBLIC), ours) is None
    assert media_start.mapped_address(success_response(ours, PUBLIC), ours) == PUBLIC
    assert media_start.mapped_address(success_response(ours, PUBLIC, xor=False), ours) == PUBLIC
    assert media_start.mapped_address(b"short", ours) is None


def test_stun_urls_default_to_port_3478() -> None:
    assert media_start.stun_server("stun:turn.example") == ("turn.example", 3478)
    assert media_start.stun_server("stun:turn.example:3479") == ("turn.example", 3479)
    with pytest.raises(ValueError, match="stun"):
        media_start.stun_server("turn:turn.example")


# --- scale-in protection while the worker holds calls ------------------------------------


class AgentRequests:
    """What the fake ECS agent's task-protection endpoint was sent."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []


@pytest.fixture
def agent() -> Iterator[tuple[str, AgentRequests]]:
    seen = AgentRequests()

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            assert self.path == "/task-protection/v1/state"
            length = int(self.headers["Content-Length"])
            seen.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_the_task_is_protected_while_the_worker_holds_calls(
    agent: tuple[str, AgentRequests],
) -> None:
    uri, seen = agent
    media_start.set_protection(uri, 3)
    media_start.set_protection(uri, 0)
    assert seen.bodies == [
        {"ProtectionEnabled": True, "ExpiresInMinutes": media_start.PROTECTION_MINUTES},
        {"ProtectionEnabled": False},
    ]


def test_the_supervisor_follows_the_load_until_the_worker_exits() -> None:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
    loads = iter([0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    protected: list[int] = []
    code = media_start.supervise(
        worker, load=lambda: next(loads), protect=protected.append, check_seconds=0.1
    )
    assert code == 0
    # nothing while idle, protection twice while busy, one release, then quiet again
    assert protected == [2, 2, 0]


def test_a_failing_check_does_not_stop_the_worker() -> None:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])

    def broken() -> int:
        raise OSError("registry unreachable")

    assert media_start.supervise(worker, load=broken, protect=print, check_seconds=0.1) == 0


def test_the_load_is_read_from_the_workers_registry_entry(tables: None) -> None:
    from chalicelib.store.models import MediaWorker

    environ = {
        "VESTIBULE_STAGE": "test",
        "AWS_REGION": "eu-west-1",
        "VESTIBULE_MEDIA_WORKER_ID": "worker-0123abcd",
    }
    load = media_start.registry_load(environ)
    assert load() == 0
    MediaWorker(
        worker_id="worker-0123abcd",
        control_url="http://10.0.1.23:8080",
        public_address="203.0.113.7",
        capacity=20,
        load=3,
        heartbeat_at=datetime(2026, 12, 1, tzinfo=UTC),
        expires_at=datetime(2026, 12, 1, 0, 1, tzinfo=UTC),
    ).save()
    assert load() == 3


def test_the_load_is_printed_as_an_embedded_metric_each_check() -> None:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    reported: list[int] = []
    media_start.supervise(
        worker,
        load=lambda: 4,
        protect=lambda load: None,
        report=reported.append,
        check_seconds=0.1,
    )
    assert reported and set(reported) == {4}
    line = json.loads(media_start.load_metric_line("Vestibule/dev", 4, 1_700_000_000_000))
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Vestibule/dev"
    assert directive["Metrics"] == [{"Name": "MediaWorkerLoad", "Unit": "Count"}]
    assert directive["Dimensions"] == [["Service"]]
    assert (line["Service"], line["MediaWorkerLoad"]) == ("media-workers", 4)
