"""Log groups the way every component wants them: a retention period and the logs KMS key."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

_RETENTIONS = (
    (7, logs.RetentionDays.ONE_WEEK),
    (14, logs.RetentionDays.TWO_WEEKS),
    (30, logs.RetentionDays.ONE_MONTH),
    (90, logs.RetentionDays.THREE_MONTHS),
    (180, logs.RetentionDays.SIX_MONTHS),
    (365, logs.RetentionDays.ONE_YEAR),
    (731, logs.RetentionDays.TWO_YEARS),
)


def retention(days: int) -> logs.RetentionDays:
    """The shortest of our CloudWatch retentions that keeps logs at least `days` days."""
    return next((value for limit, value in _RETENTIONS if limit >= days), _RETENTIONS[-1][1])


def log_group(
    scope: Construct, id: str, *, days: int, key: kms.IKey, name: str | None = None
) -> logs.LogGroup:
    return logs.LogGroup(
        scope, id, log_group_name=name, retention=retention(days), encryption_key=key
    )
