"""A participant's presence: the allowed moves, each one conditional write.

`invited -> link_opened -> terms_accepted -> device_checked -> waiting -> in_call -> left`;
going back happens only `left -> waiting` (coming back) and `in_call -> waiting` (call
dropped). A move is an UpdateItem (or, into `waiting`, a TransactWriteItems that also arms
the clinician's late notice) whose condition is the set of states it may come from, so two
racing requests cannot both make the same move, and neither can undo a later one.
`transition` gives the actions and condition, for callers that write the move inside their
own transaction (the consent record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.consultations.transactions import ConsultationTransaction
from chalicelib.errors import Conflict
from chalicelib.store.enums import ConsultationStatus, Presence
from chalicelib.store.models import Consultation, ConsultationItem, Participant, due_day_key

#: Where each state may be entered from.
ALLOWED_FROM: dict[Presence, frozenset[Presence]] = {
    Presence.LINK_OPENED: frozenset({Presence.INVITED}),
    Presence.TERMS_ACCEPTED: frozenset({Presence.INVITED, Presence.LINK_OPENED}),
    Presence.DEVICE_CHECKED: frozenset({Presence.TERMS_ACCEPTED}),
    Presence.WAITING: frozenset(
        {Presence.TERMS_ACCEPTED, Presence.DEVICE_CHECKED, Presence.LEFT, Presence.IN_CALL}
    ),
    Presence.IN_CALL: frozenset({Presence.WAITING}),
    Presence.LEFT: frozenset({Presence.WAITING, Presence.IN_CALL}),
}

#: The order of the way in; a page shows the furthest step reached.
ORDER = (
    Presence.INVITED,
    Presence.LINK_OPENED,
    Presence.TERMS_ACCEPTED,
    Presence.DEVICE_CHECKED,
    Presence.WAITING,
    Presence.IN_CALL,
    Presence.LEFT,
)


@dataclass(frozen=True)
class Transition:
    """The update that makes a move: apply `actions` under `condition`."""

    actions: list[Action]
    condition: Condition


def transition(
    to: Presence,
    now: datetime,
    consultation: Consultation | None = None,
    extra: list[Action] | None = None,
    only_from: frozenset[Presence] | None = None,
) -> Transition:
    """The actions and condition of the move to `to`, from any state `ALLOWED_FROM` it (or
    only from `only_from`, a part of that set: leaving the call moves `in_call -> left`,
    never `waiting -> left`).

    With the consultation, the participant also takes its `clinic_day` and `starts_at`,
    which put them in the clinic's day index (the dashboard's one Query).
    """
    allowed = ALLOWED_FROM[to]
    if only_from is not None:
        if not only_from <= allowed:
            raise ValueError(f"{to} cannot be entered from {sorted(only_from - allowed)}")
        allowed = only_from
    actions: list[Action] = [
        Participant.presence.set(to.value),
        Participant.presence_at.set(now),
        *(extra or []),
    ]
    if to == Presence.WAITING:
        actions += [
            Participant.waiting_since.set(now),
            # Someone already waiting needs no reminder that the consultation starts soon.
            ConsultationItem.due_at.remove(),
            ConsultationItem.due_day.remove(),
        ]
    elif Presence.WAITING in allowed:
        actions.append(Participant.waiting_since.remove())
    if consultation is not None and consultation.clinic_day and consultation.starts_at:
        actions += [
            ConsultationItem.clinic_day.set(consultation.clinic_day),
            ConsultationItem.starts_at.set(consultation.starts_at),
        ]
    condition = ConsultationItem.sk.exists() & Participant.presence.is_in(
        *(state.value for state in allowed)
    )
    if Presence.INVITED in allowed:
        condition = ConsultationItem.sk.exists() & (
            Participant.presence.does_not_exist()
            | Participant.presence.is_in(*(state.value for state in allowed))
        )
    return Transition(actions, condition)


def move(
    participant: Participant,
    to: Presence,
    now: datetime,
    consultation: Consultation | None = None,
    extra: list[Action] | None = None,
    only_from: frozenset[Presence] | None = None,
    condition: Condition | None = None,
) -> bool:
    """Make the move with one conditional UpdateItem; False if the state did not allow it
    (another request moved the participant first) or `condition` (added to the move's)
    failed. `participant` is refreshed on success."""
    change = transition(to, now, consultation, extra, only_from)
    try:
        participant.update(
            actions=change.actions,
            condition=change.condition if condition is None else change.condition & condition,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def move_into_waiting(
    participant: Participant,
    consultation: Consultation,
    now: datetime,
    on_consultation: list[Action] | None = None,
) -> bool:
    """Into `waiting`, and arm the clinicians' late notice, in one TransactWriteItems.

    The notice falls due at the appointment time (or now, if later) unless one is already
    armed (`if_not_exists`); the consultation must still be scheduled, and takes
    `on_consultation` too (its expected start). False when the
    participant's state did not allow the move; `Conflict`-worthy cancellations surface as
    False too (the caller re-reads).
    """
    change = transition(Presence.WAITING, now, consultation)
    due_at = max(consultation.starts_at or now, now)
    try:
        with ConsultationTransaction(on_condition=_not_allowed) as transaction:
            transaction.update(participant, actions=change.actions, condition=change.condition)
            transaction.update(
                consultation,
                actions=[
                    ConsultationItem.due_at.set(ConsultationItem.due_at | due_at),
                    ConsultationItem.due_day.set(ConsultationItem.due_day | due_day_key(due_at)),
                    *(on_consultation or []),
                ],
                condition=Consultation.status == ConsultationStatus.SCHEDULED,
            )
    except _NotAllowed:
        return False
    participant.presence = Presence.WAITING.value
    participant.presence_at = now
    participant.waiting_since = now
    return True


class _NotAllowed(Conflict):
    """The move's condition failed: the state (or the consultation) changed meanwhile."""


def _not_allowed() -> Conflict:
    return _NotAllowed("the participant's state changed meanwhile")


def reached(presence: str | None) -> Presence:
    """The stored presence as the enum; an unknown or missing value reads as invited."""
    try:
        return Presence(presence or Presence.INVITED)
    except ValueError:
        return Presence.INVITED
