"""Which remote ICE candidates from browsers reach aiortc, and how many per peer.

A browser's candidates tell the worker where to send connectivity checks. Left unchecked, a
participant could make the worker probe its own host or network (loopback, link-local
169.254/16 and fe80::/10, the VPC's private ranges) or pile up candidates without end. So,
before aiortc sees them, both the candidates trickled through `POST .../ice` and those
written in an SDP offer pass this policy:

- **Addresses.** A candidate is kept when its address is globally routable
  (`ipaddress.is_global`). Loopback, link-local, private (RFC 1918, fc00::/7), shared
  (100.64/10), documentation, reserved and IPv4-mapped IPv6 addresses are dropped, unless
  the worker allows private candidates (`VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES=1`: the
  local stack, where browser and worker share a machine). Multicast and unspecified
  addresses are always dropped, and so is a host that is neither an address nor an mDNS
  name.
- **mDNS names** (`<uuid>.local`, which browsers put in host candidates to hide the local
  address) count as private: they resolve only by multicast on the worker's own link, to an
  address on the browser's LAN, which a worker in the cloud cannot reach; resolving them
  would also let a browser make the worker send multicast queries. Nothing is lost: the
  browser's server-reflexive and relay candidates, and the peer-reflexive address aioice
  learns from its checks, carry the connection. Where private candidates are allowed, they
  are kept and resolved as before.
- **How many.** At most `MAX_CANDIDATES_PER_PEER` candidates per peer (a participant's
  connection, counted afresh at each offer), whether kept or dropped: those in the offer
  plus those trickled. An offer with more is refused (`BadOffer`), a trickled candidate
  past the cap is refused with `TooManyCandidates`. Browsers gather a handful (one per
  interface and server per component), so 32 is far above any honest connection.

A dropped candidate is not an error: the browser cannot know which of its addresses the
worker can use, so the control API answers `{"added": false}` and carries on.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass

from aiortc import RTCIceCandidate

from media_worker.errors import BadCandidate, BadOffer, TooManyCandidates
from media_worker.signaling import parse_candidate

MAX_CANDIDATES_PER_PEER = 32
#: Peers whose count is remembered; the oldest is forgotten first (a few hundred KB at most).
MAX_TRACKED_PEERS = 10_000
CANDIDATE_LINE = "a=candidate:"
MDNS_SUFFIX = ".local"

PeerKey = tuple[str, str]


@dataclass(frozen=True)
class CandidatePolicy:
    allow_private: bool = False
    max_per_peer: int = MAX_CANDIDATES_PER_PEER

    def admits(self, candidate: RTCIceCandidate) -> bool:
        """True if aiortc may try this candidate's address."""
        return self.admits_host(candidate.ip)

    def admits_host(self, host: str) -> bool:
        if host.lower().endswith(MDNS_SUFFIX):
            return self.allow_private
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if address.is_multicast or address.is_unspecified:
            return False
        return address.is_global or self.allow_private

    def filter_offer(self, sdp: str) -> tuple[str, int]:
        """The offer without the candidates this policy drops, and how many it carried.

        `BadOffer` if a candidate line is malformed or there are more than the cap.
        """
        lines = sdp.splitlines(keepends=True)
        kept: list[str] = []
        carried = 0
        for line in lines:
            if not line.startswith(CANDIDATE_LINE):
                kept.append(line)
                continue
            carried += 1
            if carried > self.max_per_peer:
                raise BadOffer(f"the offer carries more than {self.max_per_peer} ICE candidates")
            if self.admits(_parsed_line(line)):
                kept.append(line)
        return "".join(kept), carried


class CandidateBudget:
    """How many candidates each peer has sent since its last offer."""

    def __init__(self, policy: CandidatePolicy, *, max_peers: int = MAX_TRACKED_PEERS) -> None:
        self._policy = policy
        self._max_peers = max_peers
        self._spent: OrderedDict[PeerKey, int] = OrderedDict()

    def start(self, peer: PeerKey, carried: int) -> None:
        """A new offer for `peer`: its count starts at the candidates the offer carried."""
        self._spent.pop(peer, None)
        self._spent[peer] = carried
        while len(self._spent) > self._max_peers:
            self._spent.popitem(last=False)

    def spend(self, peer: PeerKey) -> None:
        """Count one trickled candidate; `TooManyCandidates` past the cap."""
        spent = self._spent.get(peer, 0)
        if spent >= self._policy.max_per_peer:
            raise TooManyCandidates(
                f"at most {self._policy.max_per_peer} ICE candidates per connection; "
                "send a new offer to start again"
            )
        self.start(peer, spent + 1)

    def forget(self, peer: PeerKey) -> None:
        self._spent.pop(peer, None)


def _parsed_line(line: str) -> RTCIceCandidate:
    """A candidate line of an offer, checked as strictly as a trickled one."""
    text = line.strip()[len(CANDIDATE_LINE) :]
    try:
        candidate = parse_candidate({"candidate": text, "sdpMLineIndex": 0})
    except BadCandidate:
        candidate = None
    if candidate is None:
        raise BadOffer("an ICE candidate line in the offer is malformed")
    return candidate
