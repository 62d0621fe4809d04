"""Reading the browser's offer layout and trickled candidates."""

from __future__ import annotations

import pytest

from media_worker.errors import BadCandidate, BadOffer
from media_worker.signaling import parse_candidate, parse_offer

HEADER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
CREDENTIALS = "a=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 AA\r\n"


def offer(*sections: tuple[str, str], bundle: bool = True) -> str:
    mids = " ".join(str(i) for i in range(len(sections)))
    lines = HEADER + (f"a=group:BUNDLE {mids}\r\n" if bundle else "")
    for mid, (kind, direction) in enumerate(sections):
        lines += f"m={kind} 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:{mid}\r\na={direction}\r\n"
        lines += CREDENTIALS
    return lines


def test_own_media_and_slots_are_told_apart_by_direction() -> None:
    layout = parse_offer(
        offer(
            ("audio", "sendrecv"),
            ("video", "sendrecv"),
            ("audio", "recvonly"),
            ("video", "recvonly"),
            ("audio", "recvonly"),
            ("video", "recvonly"),
            ("application", "sendrecv"),
        ),
        max_slots=3,
    )
    assert [s.is_own for s in layout.sections] == [True, True] + [False] * 5
    assert [s.is_slot for s in layout.sections] == [False, False] + [True] * 4 + [False]
    assert layout.slot_count() == 2


@pytest.mark.parametrize(
    ("sdp", "reason"),
    [
        (offer(("audio", "sendrecv"), bundle=False), "BUNDLE"),
        (offer(("video", "sendrecv"), ("video", "sendonly")), "one sending video"),
        (offer(("audio", "recvonly"), ("audio", "recvonly")), "at most 1"),
        (offer(("text", "sendrecv")), "no audio or video"),
        (offer(("audio", "sendrecv"), ("text", "sendrecv")), "unsupported"),
        (offer(("audio", "sendrecv")).replace("a=fingerprint", "a=x"), "fingerprint"),
        (offer(("audio", "sendrecv")).replace("a=mid:0", "a=mid:"), "mid"),
        (HEADER + "m=audio 9\r\n", "incomplete"),
        ("x" * 10, "not an SDP"),
        (None, "not an SDP"),
    ],
)
def test_offers_the_worker_cannot_answer_are_refused_with_a_reason(
    sdp: object, reason: str
) -> None:
    with pytest.raises(BadOffer, match=reason):
        parse_offer(sdp, max_slots=1)


def test_a_browser_candidate_is_parsed_and_an_empty_one_ends_the_candidates() -> None:
    candidate = parse_candidate(
        {
            "candidate": "candidate:842163049 1 udp 1677729535 198.51.100.7 46154 typ srflx "
            "raddr 0.0.0.0 rport 0 generation 0 ufrag sXP5 network-cost 999",
            "sdpMid": "0",
            "sdpMLineIndex": 0,
        }
    )
    assert candidate is not None
    assert (candidate.ip, candidate.port, candidate.type) == ("198.51.100.7", 46154, "srflx")
    assert (candidate.sdpMid, candidate.sdpMLineIndex) == ("0", 0)
    assert parse_candidate({"candidate": "", "sdpMid": "0"}) is None
    with pytest.raises(BadCandidate):
        parse_candidate(
            {"candidate": "candidate:1 1 udp 1 h 9 typ host raddr x rport y", "sdpMid": "0"}
        )
