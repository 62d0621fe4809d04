"""Which codecs a room negotiates, so that both legs of every forwarded stream match.

Forwarding passes encoded frames through unchanged, so the publisher's leg and every
subscriber's leg must agree on one codec per kind. Every worker transceiver gets the same
preferences with `setCodecPreferences` (public aiortc API): Opus for audio, and VP8 by
default or H.264 constrained baseline (profile-level-id 42e01f, packetization-mode 1) as
the alternative, each with RTX for retransmissions. An offer without the room's codec is
refused (`BadOffer`) rather than transcoded.
"""

from __future__ import annotations

from enum import StrEnum

from aiortc import RTCRtpCodecCapability, RTCRtpSender

H264_CONSTRAINED_BASELINE = {
    "level-asymmetry-allowed": "1",
    "packetization-mode": "1",
    "profile-level-id": "42e01f",
}


class VideoCodec(StrEnum):
    VP8 = "VP8"
    H264 = "H264"


def mime_type(kind: str, video_codec: VideoCodec) -> str:
    """The MIME type a room uses for `kind` (`audio/opus`, `video/VP8`, `video/H264`)."""
    return "audio/opus" if kind == "audio" else f"video/{video_codec.value}"


def codec_preferences(kind: str, video_codec: VideoCodec) -> list[RTCRtpCodecCapability]:
    """The capabilities to pass to `setCodecPreferences` for a transceiver of `kind`."""
    wanted = mime_type(kind, video_codec).lower()
    capabilities = RTCRtpSender.getCapabilities(kind).codecs
    chosen = [c for c in capabilities if c.mimeType.lower() == wanted and _is_wanted_profile(c)]
    if not chosen:
        raise ValueError(f"aiortc offers no {wanted} codec")
    return chosen + [c for c in capabilities if c.mimeType.lower() == f"{kind}/rtx"]


def _is_wanted_profile(capability: RTCRtpCodecCapability) -> bool:
    if capability.mimeType.lower() != "video/h264":
        return True
    return dict(capability.parameters) == H264_CONSTRAINED_BASELINE
