"""Reading what the browser sends: the offer's layout and trickled ICE candidates.

The offer layout (the order, kind and direction of its media sections) decides which
transceivers the worker prepares before aiortc applies the offer:

- the participant's own media: at most one audio and one video section that sends
  (`sendrecv` or `sendonly`);
- slots: `recvonly` sections; the k-th recvonly audio and the k-th recvonly video form
  slot k, which shows one other participant (see `rooms.seat_in_slot`);
- `inactive` sections and a data channel (`application`) are accepted and left alone.

ICE credentials and a DTLS fingerprint are required: without a fingerprint aiortc would
accept the offer and the connection could not be authenticated.

Every media section must be in the offer's BUNDLE group: one transport per browser.
aiortc parses the full SDP afterwards; this module only rejects what is plainly wrong, with
`BadOffer`/`BadCandidate` rather than an exception from deep inside aiortc.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiortc import RTCIceCandidate
from aiortc.sdp import candidate_from_sdp

from media_worker.errors import BadCandidate, BadOffer

MAX_SDP_CHARS = 64_000
MEDIA_KINDS = ("audio", "video")
SENDING = ("sendrecv", "sendonly")
DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
#: Without these, a connection can never be established (or authenticated): refuse early.
REQUIRED_ATTRIBUTES = ("ice-ufrag", "ice-pwd", "fingerprint")


@dataclass(frozen=True)
class MediaSection:
    kind: str
    direction: str
    mid: str

    @property
    def is_own(self) -> bool:
        return self.kind in MEDIA_KINDS and self.direction in SENDING

    @property
    def is_slot(self) -> bool:
        return self.kind in MEDIA_KINDS and self.direction == "recvonly"


@dataclass(frozen=True)
class OfferLayout:
    sections: tuple[MediaSection, ...]

    def slot_count(self) -> int:
        return max(
            sum(1 for s in self.sections if s.is_slot and s.kind == kind) for kind in MEDIA_KINDS
        )


def parse_offer(sdp: object, *, max_slots: int) -> OfferLayout:
    """The layout of an SDP offer; `BadOffer` if it is not one the worker can answer."""
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
        raise BadOffer("the offer is not an SDP session description of reasonable size")
    sections: list[dict[str, str]] = []
    bundle: list[str] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            fields = line[2:].split()
            if len(fields) < 4:
                raise BadOffer("a media line is incomplete")
            sections.append({"kind": fields[0], "direction": "sendrecv", "mid": ""})
        elif line.startswith("a=group:BUNDLE"):
            bundle = line.split()[1:]
        elif sections and line[2:] in DIRECTIONS and line.startswith("a="):
            sections[-1]["direction"] = line[2:]
        elif sections and line.startswith("a=mid:"):
            sections[-1]["mid"] = line[6:].strip()
    for required in REQUIRED_ATTRIBUTES:
        if f"\na={required}:" not in sdp:
            raise BadOffer(f"the offer has no {required}")
    layout = OfferLayout(tuple(MediaSection(**section) for section in sections))
    _check_layout(layout, bundle, max_slots)
    return layout


def _check_layout(layout: OfferLayout, bundle: list[str], max_slots: int) -> None:
    if not any(s.kind in MEDIA_KINDS for s in layout.sections):
        raise BadOffer("the offer has no audio or video")
    mids = [s.mid for s in layout.sections]
    if not all(mids) or len(set(mids)) != len(mids):
        raise BadOffer("every media section needs its own mid")
    if set(mids) != set(bundle):
        raise BadOffer("the BUNDLE group must hold exactly the offer's media sections")
    unknown = {s.kind for s in layout.sections} - {*MEDIA_KINDS, "application"}
    if unknown:
        raise BadOffer(f"unsupported media kinds {sorted(unknown)}")
    for kind in MEDIA_KINDS:
        if sum(1 for s in layout.sections if s.is_own and s.kind == kind) > 1:
            raise BadOffer(f"at most one sending {kind} section")
    if layout.slot_count() > max_slots:
        raise BadOffer(f"at most {max_slots} receive-only slots")


def parse_candidate(init: Mapping[str, object]) -> RTCIceCandidate | None:
    """An RTCIceCandidateInit from the browser; None for its end-of-candidates marker."""
    text = init.get("candidate") if isinstance(init, Mapping) else None
    if not isinstance(text, str):
        raise BadCandidate("candidate must be a string")
    if not text:
        return None
    mid = init.get("sdpMid")
    index = init.get("sdpMLineIndex")
    if not isinstance(mid, str | None) or not (index is None or type(index) is int):
        raise BadCandidate("sdpMid must be a string and sdpMLineIndex an integer")
    if mid is None and index is None:
        raise BadCandidate("a candidate needs sdpMid or sdpMLineIndex")
    fields = text.removeprefix("candidate:").split()
    if len(fields) < 8 or fields[6] != "typ" or not all(f.isdigit() for f in fields[1:6:2]):
        raise BadCandidate("the candidate line is malformed")
    try:
        candidate = candidate_from_sdp(" ".join(fields))
    except ValueError as exc:
        raise BadCandidate("the candidate line is malformed") from exc
    candidate.sdpMid = mid
    candidate.sdpMLineIndex = index
    return candidate
