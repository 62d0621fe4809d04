"""Time-driven work on consultation items, found through the sparse `by_due_work` index.

An item with pending work carries `due_at` and `due_day`; `sweep` finds what is due
(`queries.due_work`, never a Scan) and hands each item to the handler registered for the
start of its sort key (a participant's reminder, a consultation's late notice). One
handler's failure never stops the others. `clear` takes the work out of the index and
`reschedule` moves it (the next late notice), each under the condition that `due_at`
still holds the value read, so a concurrent change (a reschedule, a second sweeper) wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.consultations import queries
from chalicelib.observability import logger
from chalicelib.store.models import ConsultationItem, due_day_key

#: Handles one due item: (consultation id, sort key, now) -> False when a send failed.
Handler = Callable[[str, str, datetime], bool]


@dataclass(frozen=True)
class Swept:
    handled: int
    failed: int


def sweep(now: datetime, handlers: Mapping[str, Handler]) -> Swept:
    """Run the handler of every due item whose sort key starts with a registered prefix."""
    handled = failed = 0
    for pk, sk in queries.due_work(now):
        handler = next((h for prefix, h in handlers.items() if sk.startswith(prefix)), None)
        if handler is None:
            continue
        try:
            ok = handler(pk.partition("#")[2], sk, now)
        except Exception:  # noqa: BLE001 (one failure must not stop the others)
            logger.exception("due work failed", extra={"pk": pk, "sk": sk})
            ok = False
        handled += ok
        failed += not ok
    return Swept(handled=handled, failed=failed)


def clear(item: ConsultationItem, due_at: datetime, *extra: Action) -> bool:
    """Take the item's work out of the index unless `due_at` changed meanwhile."""
    return _conditional(
        item, due_at, [ConsultationItem.due_at.remove(), ConsultationItem.due_day.remove(), *extra]
    )


def reschedule(item: ConsultationItem, due_at: datetime, next_at: datetime, *extra: Action) -> bool:
    """Move the item's work from `due_at` to `next_at`; False if another run moved it."""
    return _conditional(
        item,
        due_at,
        [
            ConsultationItem.due_at.set(next_at),
            ConsultationItem.due_day.set(due_day_key(next_at)),
            *extra,
        ],
    )


def _conditional(item: ConsultationItem, due_at: datetime, actions: list[Action]) -> bool:
    try:
        item.update(actions=actions, condition=ConsultationItem.due_at == due_at)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True
