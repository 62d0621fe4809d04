"""The sweeper: runs every minute for time-driven work.

It handles the work that is due, found through the sparse `by_due_work` index against the
injected clock (`chalicelib.consultations.due_work`): participants' reminders
(`chalicelib.reminders.sweep`) and clinicians' late notices
(`chalicelib.waiting_room.late_notices`).
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.consultations import due_work
from chalicelib.observability import logger, metrics
from chalicelib.store.models import CONSULTATION_SK, PARTICIPANT_SK_PREFIX
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES))
def sweep(event: CloudWatchEvent) -> dict[str, int]:
    now = services().clock.now()
    swept = due_work.sweep(
        now,
        {
            PARTICIPANT_SK_PREFIX: services().reminders.remind,
            CONSULTATION_SK: services().late_notices.handle,
        },
    )
    metrics.add_metric(name="SweepRuns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="RemindersHandled", unit=MetricUnit.Count, value=swept.handled)
    metrics.add_metric(name="RemindersFailed", unit=MetricUnit.Count, value=swept.failed)
    logger.info(
        "sweep finished",
        extra={"handled": swept.handled, "failed": swept.failed, "at": now.isoformat()},
    )
    return {"handled": swept.handled, "failed": swept.failed}
