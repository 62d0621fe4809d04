"""The sweeper: runs every minute for time-driven work.

Reminders and late-clinician notices arrive with their issues; each will find its due work
through the sparse `by_due_work` index, against the injected clock.
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
    handled = 0
    metrics.add_metric(name="SweepRuns", unit=MetricUnit.Count, value=1)
    logger.info("sweep finished", extra={"handled": handled, "at": now.isoformat()})
    return {"handled": handled}
