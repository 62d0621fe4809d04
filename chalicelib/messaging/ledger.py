"""Sends at most once: each send is claimed on the participant before it goes out.

The idempotency key is `<consultation>#<participant>#<channel>#<purpose>#<attempt>`,
stored where its outcome is shown: the participant item's `deliveries` map, entry
`<channel>:<purpose>` (a `Delivery`: status, reason, attempt, message id, time). Claiming
is one conditional update: it succeeds only if the entry is absent or holds an earlier
attempt. A retried request or Lambda with the same attempt finds its claim taken and sends
nothing; "resend" is the next attempt number. The outcome then replaces "sending" with
"sent" (and the provider's message id) or "failed" (and a short reason code, never
personal data), under the condition that no later attempt has claimed the entry since.

A Lambda that dies between claiming and sending leaves "sending": never a second message,
and the clinician sees it and can resend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import Clock
from chalicelib.store.enums import DeliveryStatus
from chalicelib.store.models import Participant

#: The format of PynamoDB's `UTCDateTimeAttribute`, which `Delivery.at` declares.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


def delivery_key(channel: str, purpose: str) -> str:
    return f"{channel}:{purpose}"


@dataclass(frozen=True)
class DeliveryRecord:
    """One entry of `Participant.deliveries`, as the clinic UI shows it."""

    channel: str
    purpose: str
    status: str
    attempt: int
    at: datetime
    reason: str | None = None
    message_id: str | None = None


class DeliveryLedger:
    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock

    def claim(self, participant: Participant, channel: str, purpose: str, attempt: int) -> bool:
        """Claim this attempt; False when it (or a later one) was claimed before."""
        entry = Participant.deliveries[delivery_key(channel, purpose)]
        value = {"status": DeliveryStatus.SENDING.value, "attempt": attempt, "at": self._now()}
        try:
            participant.update(
                actions=[entry.set(value)],
                condition=Participant.pk.exists()
                & (entry.does_not_exist() | (entry["attempt"] < attempt)),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_sent(
        self, participant: Participant, channel: str, purpose: str, attempt: int, message_id: str
    ) -> None:
        self._finish(
            participant,
            channel,
            purpose,
            attempt,
            {"status": DeliveryStatus.SENT.value, "id": message_id},
        )

    def record_failed(
        self, participant: Participant, channel: str, purpose: str, attempt: int, reason: str
    ) -> None:
        self._finish(
            participant,
            channel,
            purpose,
            attempt,
            {"status": DeliveryStatus.FAILED.value, "reason": reason},
        )

    def _finish(
        self,
        participant: Participant,
        channel: str,
        purpose: str,
        attempt: int,
        outcome: dict[str, str],
    ) -> None:
        entry = Participant.deliveries[delivery_key(channel, purpose)]
        actions = [entry["status"].set(outcome["status"]), entry["at"].set(self._now())]
        if "id" in outcome:
            actions.append(entry["message_id"].set(outcome["id"]))
        if "reason" in outcome:
            actions.append(entry["reason"].set(outcome["reason"]))
        try:
            participant.update(actions=actions, condition=entry["attempt"] == attempt)
        except UpdateError as error:
            # A later attempt owns the entry now; its outcome is the one to show.
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def _now(self) -> str:
        return self._clock.now().astimezone(UTC).strftime(TIME_FORMAT)


def deliveries(participant: Participant) -> list[DeliveryRecord]:
    """The participant's delivery outcomes, per channel and purpose, sorted by key."""
    raw: dict[str, Any] = participant.deliveries.attribute_values
    records = []
    for key in sorted(raw):
        channel, _, purpose = key.partition(":")
        entry = raw[key]
        records.append(
            DeliveryRecord(
                channel=channel,
                purpose=purpose,
                status=str(entry["status"]),
                attempt=int(entry["attempt"]),
                at=datetime.strptime(entry["at"], TIME_FORMAT),
                reason=entry.get("reason"),
                message_id=entry.get("message_id"),
            )
        )
    return records


def next_attempt(participant: Participant, channel: str, purpose: str) -> int:
    """The attempt number a "resend" uses: one more than the last claimed."""
    entry = participant.deliveries.attribute_values.get(delivery_key(channel, purpose))
    return 1 if entry is None else int(entry["attempt"]) + 1
