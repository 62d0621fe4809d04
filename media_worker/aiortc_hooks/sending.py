"""Writing to a DTLS transport's nominated pair: SRTP or SRTCP, then straight to the socket.

aiortc sends every RTP and RTCP packet through its DTLS transport's `_send_rtp`, which
awaits a chain of four coroutines down to aioice's socket (the ICE transport, the
connection, its `sendto`, the protocol's `send_data`) behind pylibsrtp's wrapper. The
worker's legs (`outbound.OutboundLeg`) and, once `send_rtcp_directly(transport)` hooked
it, aiortc's own RTCP (sender and receiver reports, NACKs, PLIs, REMBs) go through one
`TransportWriter` per transport instead: protected with `srtp.Srtp` on the transport's
`_tx_srtp` session, written to the nominated pair's UDP socket at once (through aioice's
`send_data` for a TURN allocation, run by `background.run_now`). The route is looked up
once per nominated pair (a new pair after an ICE restart is looked up again).

Checked against aiortc 1.16.0 and aioice 0.13.0 (`problems()`, run by
`pass_through.check_compatible()`).
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

import aioice.ice
from aiortc import RTCDtlsTransport, RTCPeerConnection
from aiortc.rtcdtlstransport import State as DtlsState

from media_worker.aiortc_hooks.background import run_now
from media_worker.aiortc_hooks.introspection import Expectation, unmet
from media_worker.aiortc_hooks.srtp import SrtpCache


class TransportWriter:
    """Protects and writes packets for one DTLS transport."""

    __slots__ = ("__weakref__", "_route", "_srtp", "_transport")

    def __init__(self, transport: RTCDtlsTransport) -> None:
        self._transport = transport
        self._srtp = SrtpCache()
        self._route: tuple[object, Any, tuple[str, int]] | None = None  # pair, sendto, address

    def write_rtp(self, data: bytes) -> None:
        """Encrypt RTP `data` and send it; dropped if it cannot be (not keyed, no pair)."""
        session = self._transport._tx_srtp
        if session is not None:
            self._write(self._srtp.get(session).protect(data))

    def write_rtcp(self, data: bytes) -> None:
        """Encrypt an RTCP compound packet and send it; dropped as `write_rtp`."""
        session = self._transport._tx_srtp
        if session is not None:
            self._write(self._srtp.get(session).protect_rtcp(data))

    def _write(self, protected: bytes | None) -> None:
        pair = self._transport.transport._connection._nominated.get(1)
        if protected is None or pair is None:
            return
        route = self._route
        if route is None or route[0] is not pair:
            route = self._route = _route_of(pair)
        _, sendto, address = route
        if sendto is not None:
            sendto(protected, address)
        else:
            run_now(_send_relayed(pair.protocol, protected, address))


_writers: weakref.WeakKeyDictionary[RTCDtlsTransport, TransportWriter] = weakref.WeakKeyDictionary()


def writer_for(transport: RTCDtlsTransport) -> TransportWriter:
    """The transport's writer (one per transport, as long as it lives)."""
    writer = _writers.get(transport)
    if writer is None:
        writer = _writers[transport] = TransportWriter(transport)
    return writer


def send_rtcp_directly(transport: RTCDtlsTransport) -> None:
    """Make aiortc's own sends on `transport` (its RTCP) go through the transport's writer.

    The replacement keeps the stock method's contract: a `ConnectionError` when DTLS is not
    connected, which aiortc's RTCP loops expect and ignore.
    """
    writer = writer_for(transport)

    async def send_rtp(data: bytes) -> None:
        if transport._state is not DtlsState.CONNECTED:
            raise ConnectionError("Cannot send encrypted RTP, not connected")
        if len(data) > 1 and 191 < data[1] < 209:  # RTCP, as aiortc tells it
            writer.write_rtcp(data)
        else:
            writer.write_rtp(data)

    transport._send_rtp = send_rtp  # type: ignore[method-assign]


def send_rtcp_directly_on(pc: RTCPeerConnection) -> None:
    """`send_rtcp_directly` on every transport of `pc`'s transceivers (one when bundled);
    call once the remote description is applied (bundling picks the transport then)."""
    transports = {
        id(end.transport): end.transport
        for transceiver in pc.getTransceivers()
        for end in (transceiver.sender, transceiver.receiver)
    }
    for transport in transports.values():
        send_rtcp_directly(transport)


def _route_of(pair: Any) -> tuple[object, Any, tuple[str, int]]:
    """(pair, the UDP socket's `sendto` or None for a TURN allocation, remote address).

    A plain UDP candidate's datagram transport lives as long as the pair.
    """
    protocol = pair.protocol
    plain = type(protocol) is aioice.ice.StunProtocol and protocol.transport is not None
    return pair, protocol.transport.sendto if plain else None, pair.remote_addr


async def _send_relayed(protocol: Any, data: bytes, address: tuple[str, int]) -> None:
    """Through a TURN allocation: aioice binds a channel first if none is bound yet."""
    with contextlib.suppress(ConnectionError):
        await protocol.send_data(data, address)


def expectations() -> list[Expectation]:
    """(what, function, names its bytecode must use) for every internal this module uses."""
    return [
        (
            "aioice StunProtocol.send_data writes to its datagram transport",
            aioice.ice.StunProtocol.send_data,
            {"transport", "sendto"},
        ),
        (
            "aioice Connection.sendto sends on the nominated pair's protocol",
            aioice.ice.Connection.sendto,
            {"_nominated", "protocol", "send_data", "remote_addr"},
        ),
        (
            "RTCDtlsTransport._send_rtp checks the state, encrypts with _tx_srtp",
            RTCDtlsTransport._send_rtp,
            {"_state", "CONNECTED", "_tx_srtp", "protect", "protect_rtcp", "is_rtcp", "_send"},
        ),
    ]


def problems() -> list[str]:
    """What no longer holds of the internals this module relies on (empty when all do)."""
    return unmet(expectations())
