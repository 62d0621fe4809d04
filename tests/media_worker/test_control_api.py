"""The control API: only the app's fresh, signed, unreplayed requests; JSON refusals; drain."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.media import control_signing
from media_worker.candidate_policy import MAX_CANDIDATES_PER_PEER, CandidatePolicy
from media_worker.errors import MediaError
from tests.media_worker.control_client import NOW, OFFER, SECRET, Caller, Worker
from tests.media_worker.fake_rooms import FakeRooms

ROSTER = "/rooms/c1/roster"
ICE = "/rooms/c1/participants/p1/ice"
#: A globally routable address, only ever parsed here: the candidate policy keeps it.
PUBLIC = "8.8.8.8"
END = {"candidate": "", "sdpMid": "0"}  # the browser's end-of-candidates marker


def host_candidate(address: str, port: int = 5000) -> dict[str, Any]:
    return {"candidate": f"candidate:1 1 udp 2122260223 {address} {port} typ host", "sdpMid": "0"}


OFFER_PATH = "/rooms/c1/participants/p1/offer"


def error_code(body: dict[str, Any]) -> str:
    code: str = body["error"]["code"]
    return code


# --- authentication ---------------------------------------------------------------------


def test_a_signed_request_is_answered() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.join("c1", "p1")

    status, body = Worker().serve(scenario)

    assert status == 200
    assert body == {"sdp": "v=0 answer for p1", "roster": [{"participant_id": "p1"}]}


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("unsigned", {"signed": False}),
        ("wrong secret", {"secret": "another-secret-of-the-same-length-0123456789"}),
        ("expired", {"signed_at": NOW - 31}),
        ("from the future", {"signed_at": NOW + 31}),
    ],
)
def test_unsigned_badly_signed_or_stale_requests_are_refused_with_401(
    case: str, options: dict[str, Any]
) -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.call("POST", "/rooms/c1/participants/p1/offer", {"sdp": OFFER}, **options)

    worker = Worker()
    status, body = worker.serve(scenario)

    assert (status, error_code(body)) == (401, "unauthorized"), case
    assert worker.rooms.rooms == {}


def test_a_request_signed_within_the_30_second_window_is_accepted() -> None:
    async def scenario(api: Caller) -> list[int]:
        return [(await api.call("GET", "/health", signed_at=at))[0] for at in (NOW - 29, NOW + 29)]

    assert Worker().serve(scenario) == [200, 200]


def test_a_signature_covers_the_body_and_the_path() -> None:
    async def scenario(api: Caller) -> list[int]:
        signed = control_signing.sign(
            "dummy-shared-secret-for-tests-only-0123456789",
            "POST",
            "/rooms/c1/participants/p1/offer",
            b'{"sdp": "v=0 original"}',
            worker_id="w1",
            now=NOW,
        )
        statuses = []
        for path, body in [
            ("/rooms/c1/participants/p1/offer", b'{"sdp": "v=0 tampered"}'),
            ("/rooms/c2/participants/p1/offer", b'{"sdp": "v=0 original"}'),
        ]:
            async with api.client.post(path, data=body, headers=signed) as response:
                statuses.append(response.status)
        return statuses

    assert Worker().serve(scenario) == [401, 401]


def test_a_request_signed_for_worker_a_is_refused_by_worker_b() -> None:
    worker_a, worker_b = Worker(worker_id="worker-a"), Worker(worker_id="worker-b")
    captured: dict[str, Any] = {}

    async def send_to_a(api: Caller) -> int:
        body = json.dumps({"sdp": OFFER}).encode()
        captured["headers"] = control_signing.sign(
            SECRET, "POST", OFFER_PATH, body, worker_id="worker-a", now=NOW, nonce="n-1"
        )
        captured["body"] = body
        async with api.client.post(OFFER_PATH, data=body, headers=captured["headers"]) as sent:
            return sent.status

    async def replay_to_b(api: Caller) -> tuple[int, dict[str, Any]]:
        async with api.client.post(
            OFFER_PATH, data=captured["body"], headers=captured["headers"]
        ) as replayed:
            return replayed.status, await replayed.json()

    assert worker_a.serve(send_to_a) == 200
    status, body = worker_b.serve(replay_to_b)
    assert (status, error_code(body)) == (401, "unauthorized")
    assert "signature" in body["error"]["message"]
    assert worker_b.rooms.rooms == {}


def test_a_replayed_nonce_is_refused() -> None:
    async def scenario(api: Caller) -> list[int]:
        first = await api.call("GET", ROSTER, nonce="n-1")
        replay = await api.call("GET", ROSTER, nonce="n-1")
        other = await api.call("GET", ROSTER, nonce="n-2")
        return [first[0], replay[0], other[0]]

    worker = Worker()
    worker.rooms.rooms["c1"] = {"p1": OFFER}

    assert worker.serve(scenario) == [200, 401, 200]


def test_health_and_ready_need_no_signature() -> None:
    async def scenario(api: Caller) -> list[tuple[int, dict[str, Any]]]:
        return [await api.call("GET", path, signed=False) for path in ("/health", "/ready")]

    health, ready = Worker().serve(scenario)

    assert health == (200, {"status": "alive"})
    assert ready == (200, {"ready": True, "status": "active"})


# --- bad input: clear 4xx JSON, never a 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("raw_body", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (b"", 400, "bad_json"),
        (b"[1, 2]", 400, "bad_json"),
        (b"\xff\xfe", 400, "bad_json"),
        (b"[" * 15_000, 400, "bad_json"),
        (b'{"sdp": ' + b"[" * 15_000, 400, "bad_json"),
        (b"{}", 400, "invalid_field"),
        (b'{"sdp": ""}', 400, "invalid_field"),
        (b'{"sdp": 42}', 400, "invalid_field"),
        (b'{"sdp": "not sdp"}', 400, "bad_offer"),
        (b'{"sdp": "' + b"v" * 200_000 + b'"}', 413, "too_large"),
    ],
)
def test_bad_offers_are_refused_with_a_json_4xx(raw_body: bytes, status: int, code: str) -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.call("POST", "/rooms/c1/participants/p1/offer", raw_body=raw_body)

    answer_status, body = Worker().serve(scenario)

    assert (answer_status, error_code(body)) == (status, code)
    assert body["error"]["message"]


def test_an_invalid_field_is_named() -> None:
    async def scenario(api: Caller) -> dict[str, Any]:
        return (await api.call("POST", "/rooms/c1/participants/p1/offer", {"sdp": None}))[1]

    assert Worker().serve(scenario)["error"]["field"] == "sdp"


def test_an_id_with_unexpected_characters_is_refused() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.call("GET", "/rooms/a%20b/roster")

    status, body = Worker().serve(scenario)

    assert (status, error_code(body), body["error"]["field"]) == (400, "invalid_field", "room_id")


def test_a_candidate_must_be_an_object() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        await api.join("c1", "p1")
        return await api.call("POST", "/rooms/c1/participants/p1/ice", {"candidate": "x"})

    status, body = Worker().serve(scenario)

    assert (status, body["error"]["field"]) == (400, "candidate")


def test_unknown_routes_and_methods_answer_json() -> None:
    async def scenario(api: Caller) -> list[tuple[int, str]]:
        answers = [await api.call("GET", "/nowhere"), await api.call("PUT", ROSTER)]
        return [(status, error_code(body)) for status, body in answers]

    assert Worker().serve(scenario) == [(404, "not_found"), (405, "method_not_allowed")]


def test_an_unexpected_failure_is_a_json_500_without_details() -> None:
    class BrokenRooms(FakeRooms):
        async def join(self, room_id: str, participant_id: str, offer_sdp: str) -> str:
            raise RuntimeError("candidate 203.0.113.9 failed")

    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.join("c1", "p1")

    status, body = Worker(rooms=BrokenRooms()).serve(scenario)

    assert status == 500
    assert body == {"error": {"code": "internal_error", "message": "the media worker failed"}}


# --- rooms ------------------------------------------------------------------------------


def test_a_full_room_is_a_409() -> None:
    async def scenario(api: Caller) -> list[tuple[int, dict[str, Any]]]:
        return [await api.join("c1", "p1"), await api.join("c1", "p2")]

    (first, _), (status, body) = Worker(rooms=FakeRooms(max_participants=1)).serve(scenario)

    assert first == 200
    assert (status, error_code(body)) == (409, "room_full")


def test_an_unknown_room_or_participant_is_a_404() -> None:
    async def scenario(api: Caller) -> list[tuple[int, str]]:
        answers = [
            await api.call("GET", ROSTER),
            await api.call("POST", "/rooms/c1/participants/p1/ice", {"candidate": END}),
        ]
        await api.join("c1", "p1")
        answers.append(await api.call("DELETE", "/rooms/c1/participants/p9"))
        return [(status, error_code(body)) for status, body in answers]

    assert Worker().serve(scenario) == [
        (404, "unknown_room"),
        (404, "unknown_room"),
        (404, "unknown_participant"),
    ]


def test_candidates_roster_and_leaving() -> None:
    candidate = host_candidate(PUBLIC)

    async def scenario(api: Caller) -> list[tuple[int, dict[str, Any]]]:
        await api.join("c1", "p1")
        await api.join("c1", "p2")
        return [
            await api.call("POST", "/rooms/c1/participants/p1/ice", {"candidate": candidate}),
            await api.call("GET", ROSTER),
            await api.call("DELETE", "/rooms/c1/participants/p1"),
            await api.call("GET", ROSTER),
        ]

    worker = Worker()
    ice, roster, left, after = worker.serve(scenario)

    assert ice == (200, {"added": True})
    assert worker.rooms.candidates == [("c1", "p1", candidate)]
    assert roster == (200, {"roster": [{"participant_id": "p1"}, {"participant_id": "p2"}]})
    assert left == (200, {})
    assert after == (200, {"roster": [{"participant_id": "p2"}]})


def test_the_connection_test_starts_reports_and_stops() -> None:
    async def scenario(api: Caller) -> list[tuple[int, dict[str, Any]]]:
        started = await api.call("POST", "/echo", {"sdp": OFFER})
        session = started[1]["session_id"]
        return [
            started,
            await api.call("GET", f"/echo/{session}/stats"),
            await api.call("DELETE", f"/echo/{session}"),
            await api.call("DELETE", f"/echo/{session}"),
        ]

    started, stats, stopped, again = Worker().serve(scenario)

    assert started == (200, {"session_id": "echo-1", "sdp": "v=0 echo answer"})
    assert stats[0] == 200 and stats[1]["round_trip_ms"] == 12.5
    assert stopped == (200, {})
    assert (again[0], error_code(again[1])) == (404, "unknown_echo_session")


# --- readiness and drain ----------------------------------------------------------------


def test_draining_makes_ready_false_and_refuses_new_rooms_only() -> None:
    async def scenario(api: Caller) -> dict[str, tuple[int, Any]]:
        await api.join("c1", "p1")
        api.worker.state.start_draining()
        return {
            "ready": await api.call("GET", "/ready", signed=False),
            "new room": await api.join("c2", "p1"),
            "existing room": await api.join("c1", "p2"),
            "reconnect": await api.join("c1", "p1"),
            "connection test": await api.call("POST", "/echo", {"sdp": OFFER}),
            "health": await api.call("GET", "/health", signed=False),
        }

    worker = Worker()
    answers = worker.serve(scenario)

    assert answers["ready"] == (503, {"ready": False, "status": "draining", "reason": "draining"})
    assert (answers["new room"][0], error_code(answers["new room"][1])) == (503, "draining")
    assert answers["existing room"][0] == 200
    assert answers["reconnect"][0] == 200
    assert answers["connection test"][0] == 200  # short, and the call may be here
    assert answers["health"][0] == 200
    assert set(worker.rooms.rooms) == {"c1"}


def test_a_full_worker_is_not_ready_and_refuses_new_rooms_only() -> None:
    async def scenario(api: Caller) -> list[tuple[int, Any]]:
        await api.join("c1", "p1")
        return [
            await api.call("GET", "/ready", signed=False),
            await api.join("c2", "p1"),
            await api.join("c1", "p2"),
        ]

    ready, new_room, existing = Worker(capacity=1).serve(scenario)

    assert ready == (503, {"ready": False, "status": "active", "reason": "full"})
    assert (new_room[0], error_code(new_room[1])) == (503, "at_capacity")
    assert existing[0] == 200


def test_every_refusal_is_a_media_error_with_a_distinct_code() -> None:
    from media_worker import errors

    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, MediaError)
    ]
    codes = [c.code for c in set(classes)]
    assert len(codes) == len(set(codes))


# --- remote ICE candidates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "169.254.10.20",
        "fe80::1",
        "10.0.0.7",
        "172.16.5.4",
        "192.168.1.2",
        "fd00::5",
        "100.64.0.1",
        "::ffff:10.0.0.7",
        "0123abcd-0000-4000-8000-000000000000.local",
    ],
)
def test_non_public_candidates_are_dropped_before_aiortc(address: str) -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        await api.join("c1", "p1")
        return await api.call("POST", ICE, {"candidate": host_candidate(address)})

    worker = Worker()
    assert worker.serve(scenario) == (200, {"added": False})
    assert worker.rooms.candidates == []


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "169.254.10.20", "192.168.1.2", "fe80::1", "abc.local"]
)
def test_a_worker_that_allows_private_candidates_passes_them_on(address: str) -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        await api.join("c1", "p1")
        return await api.call("POST", ICE, {"candidate": host_candidate(address)})

    worker = Worker(candidates=CandidatePolicy(allow_private=True))
    assert worker.serve(scenario) == (200, {"added": True})
    assert [c["candidate"].split()[4] for _, _, c in worker.rooms.candidates] == [address]


@pytest.mark.parametrize(
    "address",
    ["224.0.0.251", "0.0.0.0", "ff02::fb", "media.example"],  # noqa: S104 - a candidate, not a bind
)
def test_multicast_unspecified_and_dns_names_are_dropped_even_when_private_is_allowed(
    address: str,
) -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        await api.join("c1", "p1")
        return await api.call("POST", ICE, {"candidate": host_candidate(address)})

    worker = Worker(candidates=CandidatePolicy(allow_private=True))
    assert worker.serve(scenario) == (200, {"added": False})


def test_candidates_past_the_cap_are_refused_and_a_new_offer_starts_again() -> None:
    async def scenario(api: Caller) -> list[tuple[int, dict[str, Any]]]:
        await api.join("c1", "p1")
        answers = []
        for port in range(MAX_CANDIDATES_PER_PEER + 1):
            address = PUBLIC if port % 2 else "10.0.0.7"  # dropped ones count too
            answers.append(
                await api.call("POST", ICE, {"candidate": host_candidate(address, port + 5000)})
            )
        answers.append(await api.call("POST", ICE, {"candidate": END}))
        await api.join("c1", "p1")  # a new offer (rejoin): a new connection, a new count
        answers.append(await api.call("POST", ICE, {"candidate": host_candidate(PUBLIC)}))
        return answers

    worker = Worker()
    answers = worker.serve(scenario)

    assert all(status == 200 for status, _ in answers[:MAX_CANDIDATES_PER_PEER])
    status, body = answers[MAX_CANDIDATES_PER_PEER]
    assert (status, error_code(body)) == (400, "too_many_candidates")
    assert f"at most {MAX_CANDIDATES_PER_PEER}" in body["error"]["message"]
    assert answers[-2] == (200, {"added": True})  # the end marker is not a candidate
    assert answers[-1] == (200, {"added": True})
    assert len(worker.rooms.candidates) == MAX_CANDIDATES_PER_PEER // 2 + 2


def test_candidates_are_counted_per_participant() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        await api.join("c1", "p1")
        await api.join("c1", "p2")
        for port in range(MAX_CANDIDATES_PER_PEER):
            await api.call("POST", ICE, {"candidate": host_candidate(PUBLIC, port + 5000)})
        other = "/rooms/c1/participants/p2/ice"
        return await api.call("POST", other, {"candidate": host_candidate(PUBLIC)})

    assert Worker().serve(scenario) == (200, {"added": True})


def offer_with(*addresses: str) -> str:
    lines = [
        f"a=candidate:{n} 1 udp 2122260223 {a} {5000 + n} typ host" for n, a in enumerate(addresses)
    ]
    return "\r\n".join(
        ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", *lines, "a=mid:0", ""]
    )


def test_candidates_in_an_offer_are_filtered_before_aiortc() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.join("c1", "p1", offer_with(PUBLIC, "127.0.0.1", "192.168.1.2", "x.local"))

    worker = Worker()
    status, _ = worker.serve(scenario)

    assert status == 200
    received = worker.rooms.rooms["c1"]["p1"]
    candidates = [line for line in received.split("\r\n") if line.startswith("a=candidate:")]
    assert candidates == [f"a=candidate:0 1 udp 2122260223 {PUBLIC} 5000 typ host"]
    assert received.endswith("a=mid:0\r\n")


def test_an_offer_with_too_many_or_malformed_candidates_is_refused() -> None:
    async def scenario(api: Caller) -> list[tuple[int, str]]:
        crowded = offer_with(*[PUBLIC] * (MAX_CANDIDATES_PER_PEER + 1))
        broken = offer_with(PUBLIC).replace("typ host", "host")
        answers = [await api.join("c1", "p1", crowded), await api.join("c1", "p1", broken)]
        return [(status, error_code(body)) for status, body in answers]

    worker = Worker()
    assert worker.serve(scenario) == [(400, "bad_offer"), (400, "bad_offer")]
    assert worker.rooms.rooms == {}


def test_the_candidates_an_offer_carried_count_towards_the_cap() -> None:
    async def scenario(api: Caller) -> list[int]:
        await api.join("c1", "p1", offer_with(*[PUBLIC] * (MAX_CANDIDATES_PER_PEER - 1)))
        answers = [
            await api.call("POST", ICE, {"candidate": host_candidate(PUBLIC, p)})
            for p in (7000, 7001)
        ]
        return [status for status, _ in answers]

    assert Worker().serve(scenario) == [200, 400]


def test_connection_test_offers_are_filtered_too() -> None:
    async def scenario(api: Caller) -> tuple[int, dict[str, Any]]:
        return await api.call("POST", "/echo", {"sdp": offer_with("127.0.0.1", PUBLIC)})

    worker = Worker()
    status, _ = worker.serve(scenario)
    assert status == 200
    [offer] = worker.rooms.echo_sessions.values()
    assert "127.0.0.1" not in offer and PUBLIC in offer
