"""One browser's peer connection with the worker, prepared for forwarding from its offer.

`WorkerPeer.answer()` reads the offer's layout (see `signaling`), creates one transceiver
per media section in the offer's order *before* applying the offer (aiortc matches them
in order and negotiates codecs with their preferences then; preferences set afterwards are
ignored), and installs the hooks on each:

- own media (the browser sends): an `InboundStream` on the receiver feeding a
  `Publication`, packet by packet, from the peer's `RtpTap` (installed on its DTLS
  transport once the offer is applied; see `aiortc_hooks.packet_path`);
- slots (the browser receives): a `SubscriberTrack` bound to an `OutboundLeg` of the
  sender, which never encodes, and the subscriber's PLI/REMB/NACK reported to the track;
- in loop-back mode (the device check's echo) the own sections also send, and each own
  `SubscriberTrack` is attached to the peer's own `Publication`.

Every transceiver gets the room's codec preferences (`codecs`), so both legs of every
forwarded stream use the same codec. The peer connection always gets the ICE servers it is
given (an empty list means host candidates only, never aiortc's public default).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from aiortc import (
    InvalidStateError,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceCandidate,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)

from media_worker.aiortc_hooks import outbound, packet_path, pass_through
from media_worker.codecs import VideoCodec, codec_preferences, mime_type
from media_worker.errors import BadCandidate, BadOffer
from media_worker.forwarding.tracks import Publication, SubscriberTrack
from media_worker.signaling import MediaSection, parse_offer

logger = logging.getLogger(__name__)

#: A peer connection not connected this many seconds after the answer is given up.
CONNECT_TIMEOUT = 30.0


@dataclass
class WorkerPeer:
    """A worker-side peer connection with its publications and slots."""

    pc: RTCPeerConnection
    publications: dict[str, Publication] = field(default_factory=dict)
    slots: list[dict[str, SubscriberTrack]] = field(default_factory=list)
    own_tracks: dict[str, SubscriberTrack] = field(default_factory=dict)
    own_transceivers: dict[str, RTCRtpTransceiver] = field(default_factory=dict)
    inbound: dict[str, packet_path.InboundStream] = field(default_factory=dict)
    mime_types: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def answer(
        cls,
        offer_sdp: str,
        *,
        ice_servers: list[RTCIceServer],
        video_codec: VideoCodec,
        max_slots: int,
        loopback: bool = False,
        on_ended: Callable[[WorkerPeer], None] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> tuple[WorkerPeer, str]:
        """Build a peer from a browser's offer; return it with the answer SDP."""
        layout = parse_offer(offer_sdp, max_slots=max_slots)
        if loopback and not any(s.direction == "sendrecv" for s in layout.sections if s.is_own):
            raise BadOffer("an echo offer must both send and receive its own media")
        pc = RTCPeerConnection(
            RTCConfiguration(iceServers=list(ice_servers), bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        peer = cls(pc)
        try:
            for section in layout.sections:
                if section.kind in ("audio", "video"):
                    peer._prepare(section, video_codec, loopback)
            await _apply_offer(pc, offer_sdp)
            peer._start_publications(loopback)
        except BaseException:
            await peer.close()
            raise
        if on_ended is not None:
            peer._watch(on_ended, connect_timeout)
        return peer, pc.localDescription.sdp

    async def add_ice_candidate(self, candidate: RTCIceCandidate | None) -> None:
        try:
            await self.pc.addIceCandidate(candidate)
        except (ValueError, InvalidStateError) as exc:
            raise BadCandidate("the candidate does not match the offer") from exc

    def slot(self, index: int) -> dict[str, SubscriberTrack]:
        """The subscriber tracks of slot `index` (empty if the browser offered fewer)."""
        return self.slots[index] if index < len(self.slots) else {}

    async def close(self) -> None:
        for publication in self.publications.values():
            await publication.close()
        for tracks in [*self.slots, self.own_tracks]:
            for track in tracks.values():
                track.stop()
        await self.pc.close()

    def _prepare(self, section: MediaSection, video_codec: VideoCodec, loopback: bool) -> None:
        kind, mime = section.kind, mime_type(section.kind, video_codec)
        sends = section.is_slot or (loopback and section.direction == "sendrecv")
        receives = section.is_own
        direction = {
            (True, True): "sendrecv",
            (True, False): "sendonly",
            (False, True): "recvonly",
            (False, False): "inactive",
        }[(sends, receives)]
        transceiver = self.pc.addTransceiver(kind, direction=direction)
        transceiver.setCodecPreferences(codec_preferences(kind, video_codec))
        if receives:
            packet_path.forbid_decoding(transceiver.receiver)
            self.own_transceivers[kind] = transceiver
            self.mime_types[kind] = mime
        if sends:
            track = SubscriberTrack(kind)
            transceiver.sender.replaceTrack(track)
            outbound.forbid_encoding(transceiver.sender)
            track.bind(outbound.OutboundLeg(transceiver.sender))
            pass_through.intercept_feedback(
                transceiver.sender,
                on_keyframe_request=track.on_keyframe_request,
                on_remb=track.on_remb,
                on_nack=track.on_nack,
            )
            if section.is_slot:
                index = sum(1 for slot in self.slots if kind in slot)
                if index == len(self.slots):
                    self.slots.append({})
                self.slots[index][kind] = track
            else:
                self.own_tracks[kind] = track

    def _start_publications(self, loopback: bool) -> None:
        """Tap each receiver's packets into its publication (the offer is applied)."""
        taps: dict[int, packet_path.RtpTap] = {}
        for kind, transceiver in self.own_transceivers.items():
            receiver = transceiver.receiver
            transport = receiver.transport
            tap = taps.get(id(transport))
            if tap is None:
                tap = taps[id(transport)] = packet_path.RtpTap(transport)
                packet_path.receive_inline(tap)
            inbound = packet_path.InboundStream(receiver, self.mime_types[kind])
            feedback = pass_through.UpstreamFeedback(inbound)
            publication = Publication(kind, feedback, metered=loopback)
            inbound.forward_to(publication.forward)
            tap.add(inbound)
            self.inbound[kind] = inbound
            self.publications[kind] = publication
            if loopback and kind in self.own_tracks:
                self.own_tracks[kind].attach(self.publications[kind])

    def _watch(self, on_ended: Callable[[WorkerPeer], None], connect_timeout: float) -> None:
        """Report the end of the connection once: failed, closed, or never connected."""
        reported = False

        def report() -> None:
            nonlocal reported
            if not reported:
                reported = True
                timer.cancel()
                on_ended(self)

        def check_connected() -> None:
            if self.pc.connectionState != "connected":
                report()

        timer = asyncio.get_running_loop().call_later(connect_timeout, check_connected)

        @self.pc.on("connectionstatechange")
        def on_state_change() -> None:
            if self.pc.connectionState in ("failed", "closed"):
                report()


async def _apply_offer(pc: RTCPeerConnection, offer_sdp: str) -> None:
    """Apply the offer and create the answer; any failure of aiortc's doing is a `BadOffer`."""
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
    # aiortc's SDP parsing fails on malformed input with whatever the line at fault raises
    # (ValueError, KeyError, IndexError, AssertionError, RuntimeError from a StopIteration,
    # its own OperationError...): none of them may escape as anything but BadOffer.
    except Exception as exc:
        raise BadOffer(f"the offer cannot be answered ({type(exc).__name__})") from exc
