"""The environment the app reads in the local stack, built in one place.

The supervisor gives it to the bootstrap and the app host; the end-to-end tests give it to
their own process so they talk to the same moto, tables and websocket gateway. Credentials
are dummies: whatever the shell holds, the stack never talks to real AWS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from devstack.options import StackOptions

REGION = "eu-west-1"
WS_API_ID = "local"
WS_STAGE = "ws"
DEFAULT_TABLE_PREFIX = "vestibule-local-"
SENDER_VARIABLE = "VESTIBULE_SENDER_EMAIL"
DEFAULT_SENDER = "no-reply@clinic.example"

#: Variables that could point boto3 at a real account; never passed to the stack.
_REAL_AWS_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def app_environment(options: StackOptions, base: Mapping[str, str]) -> dict[str, str]:
    """The app's variables for this stack; the table prefix and sender may come from `base`."""
    return {
        "VESTIBULE_STAGE": "local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": options.moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "VESTIBULE_TABLE_PREFIX": base.get("VESTIBULE_TABLE_PREFIX") or DEFAULT_TABLE_PREFIX,
        SENDER_VARIABLE: base.get(SENDER_VARIABLE) or DEFAULT_SENDER,
        "VESTIBULE_WS_MANAGEMENT_ENDPOINT": options.management_endpoint,
        "VESTIBULE_WS_API_ID": WS_API_ID,
        "VESTIBULE_WS_STAGE": WS_STAGE,
        "POWERTOOLS_SERVICE_NAME": "vestibule",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": base.get("POWERTOOLS_LOG_LEVEL") or "INFO",
    }


def child_environment(
    options: StackOptions, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment of a child process: the shell's, with the app's on top."""
    base = os.environ if base is None else base
    environment = {k: v for k, v in base.items() if k not in _REAL_AWS_VARIABLES}
    environment.update(app_environment(options, base))
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def sender_email(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(SENDER_VARIABLE) or DEFAULT_SENDER
