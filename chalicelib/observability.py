"""Powertools Logger, Tracer and Metrics, created once and registered app-wide.

Service name and log level come from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_LOG_LEVEL`.
Log lines carry ids (consultation, participant, connection), never personal data: no
names, phone numbers, emails or chat text.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from chalice import Chalice, ConvertToMiddleware

METRICS_NAMESPACE = "Vestibule"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def register(app: Chalice) -> None:
    """Wrap every handler: request context in logs, traces, and metrics flushed per call."""
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
    app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler))
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
