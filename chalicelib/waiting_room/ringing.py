"""Who a Start rings: the participants named, or everyone waiting; each must be waiting.

A clinician rings (and so admits) participants who are in the waiting room. Naming someone
who is not a participant of this consultation (a removed guest's id included) is a 400
naming them; naming a participant who is not waiting is a 409 naming them. Nothing is
written when any named participant cannot be rung.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import Conflict, InvalidField
from chalicelib.store.enums import JoinWith, Presence
from chalicelib.store.models import Participant


@dataclass(frozen=True)
class Ring:
    """What the clinician asked for: the call's mode, whom to ring, whether to text them."""

    mode: JoinWith = JoinWith.VIDEO
    #: None: everyone waiting.
    participant_ids: tuple[str, ...] | None = None
    #: Text each rung participant their link now, even if they did not ask to be texted.
    text: bool = False


class NotOfConsultation(InvalidField):
    """Named participants that this consultation does not (or no longer) list."""

    def __init__(self, participant_ids: Sequence[str]) -> None:
        super().__init__(
            "participant_ids",
            f"not participants of this consultation: {', '.join(participant_ids)}",
        )
        self.participant_ids = list(participant_ids)

    def details(self) -> dict[str, Any]:
        return {**super().details(), "participant_ids": self.participant_ids}


class NotWaiting(Conflict):
    """Named participants who are not in the waiting room, so cannot be rung."""

    code = "not_waiting"

    def __init__(self, participant_ids: Sequence[str]) -> None:
        super().__init__(f"not in the waiting room: {', '.join(participant_ids)}")
        self.participant_ids = list(participant_ids)

    def details(self) -> dict[str, Any]:
        return {"participant_ids": self.participant_ids}


def rung(participants: Sequence[Participant], ring: Ring) -> list[Participant]:
    """The participants to ring, in the consultation's order; refusals name the others."""
    waiting = [p for p in participants if p.presence == Presence.WAITING]
    if ring.participant_ids is None:
        return waiting
    named = list(dict.fromkeys(ring.participant_ids))
    by_id = {p.participant_id: p for p in participants}
    unknown = [pid for pid in named if pid not in by_id]
    if unknown:
        raise NotOfConsultation(unknown)
    not_waiting = [pid for pid in named if by_id[pid].presence != Presence.WAITING]
    if not_waiting:
        raise NotWaiting(not_waiting)
    return [p for p in participants if p.participant_id in named]
