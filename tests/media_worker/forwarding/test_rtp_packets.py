"""RTP packets read, rewritten and written back; keyframes told from payload descriptors."""

from __future__ import annotations

from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap
from aiortc.rtp import RtpPacket as AiortcPacket

from media_worker.forwarding.bitstream import (
    h264_packet_starts_keyframe,
    packet_keyframe_detector,
    vp8_packet_starts_keyframe,
)
from media_worker.forwarding.history import RetransmissionHistory, SentPacket
from media_worker.forwarding.losses import MissingPackets
from media_worker.forwarding.rtp import RtpPacket, newer, parse, serialize, unwrap_rtx

VP8_KEY = bytes([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A]) + b"k" * 3000
VP8_DELTA = bytes([0x11, 0x02, 0x00]) + b"d" * 3000


def test_a_packet_with_csrcs_extensions_and_padding_is_read_down_to_its_payload() -> None:
    packet = AiortcPacket(payload_type=96, marker=1, sequence_number=65535, timestamp=7, ssrc=9)
    packet.csrc = [1, 2]
    packet.extensions.abs_send_time = 0x123456
    packet.payload = b"payload"
    packet.padding_size = 3

    extensions = HeaderExtensionsMap()
    uri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    extensions.configure(
        RTCRtpParameters(headerExtensions=[RTCRtpHeaderExtensionParameters(id=3, uri=uri)])
    )
    data = packet.serialize(extensions)
    assert parse(data) == RtpPacket(9, 96, 65535, 7, True, b"payload")


def test_what_is_not_rtp_is_refused() -> None:
    assert parse(b"\x80\x60") is None
    assert parse(b"\x40" + bytes(20)) is None  # version 1
    assert parse(b"\x9f" + bytes(11)) is None  # 15 CSRCs announced, none there


def test_a_written_packet_reads_back_and_aiortc_reads_it_the_same() -> None:
    extension = b"\xbe\xde\x00\x01\x32\x01\x02\x03"  # one-byte header: id 3, 3 bytes
    data = serialize(
        ssrc=0xCAFE,
        payload_type=111,
        sequence_number=42,
        timestamp=2**32 - 1,
        marker=True,
        extension=extension,
        payload=b"opus",
    )
    assert parse(data) == RtpPacket(0xCAFE, 111, 42, 2**32 - 1, True, b"opus")
    theirs = AiortcPacket.parse(data)
    assert (theirs.ssrc, theirs.payload_type, theirs.marker, theirs.payload) == (
        0xCAFE,
        111,
        1,
        b"opus",
    )


def test_a_retransmission_is_unwrapped_to_the_packet_it_repairs() -> None:
    rtx = RtpPacket(77, 97, 5, 900, True, b"\x01\x02media")
    assert unwrap_rtx(rtx, payload_type=96, ssrc=55) == RtpPacket(55, 96, 258, 900, True, b"media")
    assert (
        unwrap_rtx(RtpPacket(77, 97, 6, 900, False, b"\x01\x02"), payload_type=96, ssrc=55) is None
    )


def test_sequence_numbers_compare_across_the_wrap() -> None:
    assert newer(0, 65535) and newer(10, 5) and not newer(5, 10) and not newer(7, 7)
    assert not newer(65535, 0)


def test_vp8_keyframes_are_told_from_the_first_packet_of_partition_zero() -> None:
    key = Vp8Encoder._packetize(VP8_KEY, 0x1234)
    delta = Vp8Encoder._packetize(VP8_DELTA, 0x1235)
    assert len(key) > 1
    assert [vp8_packet_starts_keyframe(p) for p in key] == [True] + [False] * (len(key) - 1)
    assert not any(vp8_packet_starts_keyframe(p) for p in delta)
    # Chrome's descriptor: X, then I (7-bit picture id), L (TL0PICIDX) and T/K
    assert vp8_packet_starts_keyframe(bytes([0x90, 0xE0, 0x12, 0x05, 0x20]) + VP8_KEY)
    assert not vp8_packet_starts_keyframe(bytes([0x90, 0xE0, 0x12, 0x05, 0x20]) + VP8_DELTA)
    assert not vp8_packet_starts_keyframe(b"\x10")


def test_h264_keyframes_start_at_an_sps_or_the_first_fragment_of_an_idr() -> None:
    sps, pps, idr, slice_ = b"\x67\x42", b"\x68\xce", b"\x65\x88", b"\x41\x9a"
    stap_a = b"\x78" + len(sps).to_bytes(2, "big") + sps + len(pps).to_bytes(2, "big") + pps
    assert h264_packet_starts_keyframe(stap_a)
    assert h264_packet_starts_keyframe(idr) and h264_packet_starts_keyframe(sps)
    assert h264_packet_starts_keyframe(b"\x7c\x85rest")  # FU-A, start, IDR
    assert not h264_packet_starts_keyframe(b"\x7c\x05rest")  # FU-A, middle
    assert not h264_packet_starts_keyframe(b"\x7c\x81rest")  # FU-A, start, non-IDR
    assert not h264_packet_starts_keyframe(slice_) and not h264_packet_starts_keyframe(b"")
    assert packet_keyframe_detector("audio/opus")(b"")


def test_the_history_keeps_the_last_packets_by_sequence_number() -> None:
    history = RetransmissionHistory(size=4)
    for seq in range(65533, 65536 + 4):
        history.add(SentPacket(seq % 65536, 0, False, bytes([seq % 256])))
    assert history.get(65535) is None  # overwritten by 3, four packets later
    assert history.get(2) == SentPacket(2, 0, False, b"\x02")
    assert history.get(1000) is None


def test_gaps_are_reported_once_filled_by_retransmissions_and_forgotten_when_old() -> None:
    losses = MissingPackets(horizon=10)
    assert [losses.add(seq) for seq in (65533, 65534)] == [False, False]
    assert losses.add(1)  # 65535 and 0 are missing, across the wrap
    assert losses.missing == {65535, 0}
    assert not losses.add(0) and losses.missing == {65535}  # a retransmission arrived
    assert not losses.add(2) and not losses.add(2)
    assert losses.add(5) and losses.missing == {65535, 3, 4}
    assert losses.add(9) and losses.missing == {3, 4, 6, 7, 8}  # 65535: ten behind, dropped
    assert not losses.add(1000) and not losses.missing  # a jump, not a gap
