"""Reading just enough of an encoded frame to tell a keyframe from a delta frame.

Forwarding never decodes, but it must know where a decoder can start: a new subscriber is
fed from the next keyframe on, and after an unrecoverable gap the forwarder waits for one.

- VP8 (RFC 6386, section 9.1): the frame tag's lowest bit is 0 on a key frame, which also
  carries the start code 9d 01 2a at bytes 3 to 5.
- H.264 (Annex B, as aiortc's depayloader produces it): an access unit holding an IDR slice
  (NAL unit type 5) is a keyframe.
- Opus and every other audio codec: each frame decodes on its own.

The worker forwards RTP packets, not frames, so it tells from each packet's payload
descriptor whether the packet *starts* a keyframe (`packet_keyframe_detector`):
- VP8 (RFC 7741): the start of partition 0 (S=1, PID=0) whose VP8 frame tag says key frame.
- H.264 (RFC 6184): an SPS or IDR NAL unit, alone, inside a STAP-A, or the first fragment
  (FU-A with S=1) of an IDR.
"""

from __future__ import annotations

from collections.abc import Callable

VP8_START_CODE = b"\x9d\x01\x2a"
H264_START_CODE = b"\x00\x00\x01"
H264_NAL_IDR = 5
H264_NAL_SPS = 7
H264_NAL_STAP_A = 24
H264_NAL_FU_A = 28


def is_vp8_keyframe(frame: bytes) -> bool:
    return len(frame) >= 6 and not frame[0] & 0x01 and frame[3:6] == VP8_START_CODE


def is_h264_keyframe(frame: bytes) -> bool:
    position = frame.find(H264_START_CODE)
    while position != -1 and position + 3 < len(frame):
        if frame[position + 3] & 0x1F == H264_NAL_IDR:
            return True
        position = frame.find(H264_START_CODE, position + 3)
    return False


def always_keyframe(frame: bytes) -> bool:
    return True


def vp8_packet_starts_keyframe(payload: bytes) -> bool:
    if len(payload) < 2 or payload[0] & 0x1F != 0x10:  # S=1, PID=0
        return False
    offset = 1
    if payload[0] & 0x80:  # X: an extension byte follows
        extension = payload[1]
        offset = 2
        if extension & 0x80:  # I: a picture id of one or two bytes
            offset += 2 if len(payload) > offset and payload[offset] & 0x80 else 1
        if extension & 0x40:  # L: TL0PICIDX
            offset += 1
        if extension & 0x30:  # T or K: TID/Y/KEYIDX
            offset += 1
    return len(payload) > offset and not payload[offset] & 0x01


def h264_packet_starts_keyframe(payload: bytes) -> bool:
    if not payload:
        return False
    nal_type = payload[0] & 0x1F
    if nal_type == H264_NAL_STAP_A:
        offset = 1
        while offset + 2 < len(payload):
            size = int.from_bytes(payload[offset : offset + 2], "big")
            if payload[offset + 2] & 0x1F in (H264_NAL_IDR, H264_NAL_SPS):
                return True
            offset += 2 + size
        return False
    if nal_type == H264_NAL_FU_A:
        return len(payload) > 1 and payload[1] & 0x80 != 0 and payload[1] & 0x1F == H264_NAL_IDR
    return nal_type in (H264_NAL_IDR, H264_NAL_SPS)


def packet_keyframe_detector(mime_type: str) -> Callable[[bytes], bool]:
    """Whether an RTP payload starts a keyframe, by MIME type; audio: every packet."""
    kind, _, name = mime_type.lower().partition("/")
    if kind == "audio":
        return always_keyframe
    if name == "vp8":
        return vp8_packet_starts_keyframe
    if name == "h264":
        return h264_packet_starts_keyframe
    raise ValueError(f"no keyframe detector for {mime_type}")


def keyframe_detector(mime_type: str) -> Callable[[bytes], bool]:
    """The keyframe test for a codec, by MIME type (`video/VP8`, `audio/opus`, ...)."""
    kind, _, name = mime_type.lower().partition("/")
    if kind == "audio":
        return always_keyframe
    if name == "vp8":
        return is_vp8_keyframe
    if name == "h264":
        return is_h264_keyframe
    raise ValueError(f"no keyframe detector for {mime_type}")
