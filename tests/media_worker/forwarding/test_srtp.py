"""The packet path's SRTP: libsrtp on aiortc's sessions, refusals as None, never raised."""

from __future__ import annotations

import struct

from pylibsrtp import Policy, Session

from media_worker.aiortc_hooks.srtp import Srtp, SrtpCache, problems

KEYING = bytes(range(30))


def session(direction: int, keying: bytes = KEYING) -> Session:
    return Session(Policy(key=keying, ssrc_type=direction))


def rtp(sequence_number: int, payload: bytes = b"payload") -> bytes:
    return struct.pack("!BBHII", 0x80, 96, sequence_number, 3000 * sequence_number, 42) + payload


def test_what_one_side_protects_the_other_reads_back() -> None:
    sender = Srtp(session(Policy.SSRC_ANY_OUTBOUND))
    receiver = Srtp(session(Policy.SSRC_ANY_INBOUND))
    for sequence_number in (1, 2, 3):
        protected = sender.protect(rtp(sequence_number, bytes([sequence_number]) * 1000))
        assert protected is not None and protected[12:1012] != bytes([sequence_number]) * 1000
        assert receiver.unprotect(protected) == rtp(
            sequence_number, bytes([sequence_number]) * 1000
        )


def test_pylibsrtp_reads_what_it_protects_and_the_other_way_round() -> None:
    ours = Srtp(session(Policy.SSRC_ANY_OUTBOUND))
    theirs = session(Policy.SSRC_ANY_INBOUND)
    assert theirs.unprotect(ours.protect(rtp(7)) or b"") == rtp(7)
    stock = session(Policy.SSRC_ANY_OUTBOUND)
    assert Srtp(session(Policy.SSRC_ANY_INBOUND)).unprotect(stock.protect(rtp(8))) == rtp(8)


def test_forged_replayed_and_oversized_packets_are_refused_without_an_exception() -> None:
    sender = Srtp(session(Policy.SSRC_ANY_OUTBOUND))
    receiver = Srtp(session(Policy.SSRC_ANY_INBOUND))
    protected = sender.protect(rtp(10))
    assert protected is not None
    forged = protected[:-1] + bytes([protected[-1] ^ 1])
    assert receiver.unprotect(forged) is None
    assert receiver.unprotect(protected) == rtp(10)
    assert receiver.unprotect(protected) is None  # a replay
    assert (
        Srtp(session(Policy.SSRC_ANY_INBOUND, bytes(30))).unprotect(sender.protect(rtp(11)) or b"")
        is None
    )
    assert sender.protect(rtp(12, bytes(1600))) is None


def test_the_cache_follows_the_session_the_transport_holds_now() -> None:
    cache = SrtpCache()
    first, second = session(Policy.SSRC_ANY_OUTBOUND), session(Policy.SSRC_ANY_OUTBOUND)
    assert cache.get(first) is cache.get(first)
    assert cache.get(second).session is second


def test_the_internals_it_relies_on_are_there() -> None:
    assert problems() == []
