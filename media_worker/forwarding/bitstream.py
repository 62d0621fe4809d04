"""Reading just enough of an encoded frame to tell a keyframe from a delta frame.

Forwarding never decodes, but it must know where a decoder can start: a new subscriber is
fed from the next keyframe on, and after an unrecoverable gap the forwarder waits for one.

- VP8 (RFC 6386, section 9.1): the frame tag's lowest bit is 0 on a key frame, which also
  carries the start code 9d 01 2a at bytes 3 to 5.
- H.264 (Annex B, as aiortc's depayloader produces it): an access unit holding an IDR slice
  (NAL unit type 5) is a keyframe.
- Opus and every other audio codec: each frame decodes on its own.
"""

from __future__ import annotations

from collections.abc import Callable

VP8_START_CODE = b"\x9d\x01\x2a"
H264_START_CODE = b"\x00\x00\x01"
H264_NAL_IDR = 5


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
