"""Tells invited participants that their consultation was cancelled or moved to a new time.

A notice goes to each participant on each channel an invitation was sent on (`sent` in the
participant's `deliveries`). The ledger's attempt number keeps it to one message: a
cancellation is attempt 1 of purpose `cancellation`; a change is attempt `revision` of
purpose `change`, the consultation's schedule revision that each move of its start time
increments. A repeated request or a retried Lambda finds the claims taken and sends
nothing, but completes the notices a failed earlier run did not send; the next move is the
next attempt, so it is told again.

A change notice carries a new personal link (links keep only their hash, so the old one
cannot be sent again; it keeps working too), with a new access code on the other channel
when the consultation requires one (`chalicelib.participants.link_delivery`). It goes only
to whoever
was invited before the move (`moved_at`): a participant invited since knows the new time.
A channel that can no longer be used (its contact point or the clinic's WhatsApp removed)
is skipped and logged with ids only: the move is saved already and must not fail for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from chalicelib.errors import InvalidField
from chalicelib.messaging.courier import Courier, Outcome
from chalicelib.messaging.ledger import deliveries, next_attempt
from chalicelib.observability import logger
from chalicelib.participants.link_delivery import LinkIssuer, send_with_link
from chalicelib.store.enums import DeliveryStatus, MessagePurpose
from chalicelib.store.models import Clinic, Consultation, Participant


class ScheduleNotices:
    def __init__(self, *, courier: Courier, links: LinkIssuer) -> None:
        self._courier = courier
        self._links = links

    def cancellation(
        self, consultation: Consultation, participants: Iterable[Participant], clinic: Clinic
    ) -> None:
        """Tell each invited participant, on each channel of their invitation; idempotent."""
        for participant, channel in _invited(participants):
            self._courier.send_cancellation(consultation, participant, channel, clinic=clinic)

    def change(
        self, consultation: Consultation, participants: Iterable[Participant], clinic: Clinic
    ) -> None:
        """Send the notice of the consultation's latest move (as saved), with a new link."""
        revision, moved_at = int(consultation.revision), consultation.moved_at
        if revision == 0 or moved_at is None:
            return  # never moved
        for participant, channel in _invited(participants, before=moved_at):
            if _last_attempt(participant, channel, MessagePurpose.CHANGE) >= revision:
                continue  # told (or being told) already: no new link for nothing
            try:
                self._send_change(consultation, participant, channel, clinic, revision)
            except InvalidField as unusable:
                logger.warning(
                    "change notice not sent",
                    extra={
                        "consultation_id": consultation.consultation_id,
                        "participant_id": participant.participant_id,
                        "channel": channel,
                        "field": unusable.field,
                    },
                )

    def _send_change(
        self,
        consultation: Consultation,
        participant: Participant,
        channel: str,
        clinic: Clinic,
        revision: int,
    ) -> None:
        def send(link: str) -> Outcome:
            return self._courier.send_change(
                consultation, participant, link, channel, clinic=clinic, attempt=revision
            )

        send_with_link(
            self._courier, self._links, consultation, participant, channel, clinic=clinic, send=send
        )


def _invited(
    participants: Iterable[Participant], *, before: datetime | None = None
) -> Iterator[tuple[Participant, str]]:
    """Each participant and channel with a sent invitation (sent no later than `before`)."""
    for participant in participants:
        for delivery in deliveries(participant):
            if (
                delivery.purpose == MessagePurpose.INVITATION
                and delivery.status == DeliveryStatus.SENT
                and (before is None or delivery.at <= before)
            ):
                yield participant, delivery.channel


def _last_attempt(participant: Participant, channel: str, purpose: str) -> int:
    """The attempt last claimed for `purpose` on `channel`; 0 when none was."""
    return next_attempt(participant, channel, purpose) - 1
