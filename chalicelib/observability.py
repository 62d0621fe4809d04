"""Powertools Logger, Tracer and Metrics, created once and registered app-wide.

Service name and log level come from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_LOG_LEVEL`.
Log lines carry ids (consultation, participant, connection), never personal data: no
names, phone numbers, emails or chat text.

The Tracer is created only where it traces: in Lambda (not under `sam local` or
`chalice local`) unless `POWERTOOLS_TRACE_DISABLED` is true. Powertools would disable it
everywhere else anyway, but creating it imports the X-Ray SDK, which costs about as much
as boto3 itself: tests, the local stack and tools such as `chalice package` skip it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from aws_lambda_powertools import Logger, Metrics
from chalice import Chalice, ConvertToMiddleware

METRICS_NAMESPACE = "Vestibule"

# The variables Powertools' Tracer itself reads to decide whether it traces.
_LAMBDA_TASK_ROOT = "LAMBDA_TASK_ROOT"
_LOCAL_EMULATORS = ("AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE")
_TRACE_DISABLED = "POWERTOOLS_TRACE_DISABLED"
_TRUTHY = frozenset({"1", "y", "yes", "t", "true", "on"})

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def tracing_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process traces: in Lambda, not emulated, and not switched off."""
    if environ.get(_TRACE_DISABLED, "false").strip().lower() in _TRUTHY:
        return False
    if any(environ.get(name) for name in _LOCAL_EMULATORS):
        return False
    return bool(environ.get(_LAMBDA_TASK_ROOT))


def register(app: Chalice, environ: Mapping[str, str] = os.environ) -> None:
    """Wrap every handler: request context in logs, traces where enabled, metrics per call."""
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
    if tracing_enabled(environ):
        # Imported here: the X-Ray SDK loads when the Tracer is created (and patches
        # botocore before the first client is built, on the first invocation).
        from aws_lambda_powertools import Tracer

        app.register_middleware(ConvertToMiddleware(Tracer().capture_lambda_handler))
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
