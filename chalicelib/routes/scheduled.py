"""The sweeper: runs every minute for time-driven work.

It sends the reminders that are due (`chalicelib.reminders.sweep`), found through the sparse
`by_due_work` index against the injected clock. Late-clinician notices arrive with their
issue and will use the same index.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.observability import logger, metrics
from chalicelib.wiring import services

blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES))
def sweep(event: CloudWatchEvent) -> dict[str, int]:
    now = services().clock.now()
    swept = services().reminders.run()
    metrics.add_metric(name="SweepRuns", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="RemindersHandled", unit=MetricUnit.Count, value=swept.handled)
    metrics.add_metric(name="RemindersFailed", unit=MetricUnit.Count, value=swept.failed)
    logger.info(
        "sweep finished",
        extra={"handled": swept.handled, "failed": swept.failed, "at": now.isoformat()},
    )
    return {"handled": swept.handled, "failed": swept.failed}
