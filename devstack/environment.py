"""The environment the app reads in the local stack, built in one place.

The supervisor gives it to the bootstrap and the app host; the end-to-end tests give it to
their own process so they talk to the same moto, tables and websocket gateway. Credentials
are dummies: whatever the shell holds, the stack never talks to real AWS. The two shared
secrets (app ↔ media worker, app ↔ coturn) are generated when the stack starts
(`with_secrets`), unless the shell sets them; the media worker's own variables come from
`media_worker_environment`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from chalicelib.media.turn import turn_credentials
from devstack.options import StackOptions

REGION = "eu-west-1"
WS_API_ID = "local"
WS_STAGE = "ws"
DEFAULT_TABLE_PREFIX = "vestibule-local-"
SENDER_VARIABLE = "VESTIBULE_SENDER_EMAIL"
DEFAULT_SENDER = "no-reply@clinic.example"
#: moto's bucket of chat files (`devstack.bootstrap` creates it like the infrastructure's).
ATTACHMENTS_BUCKET = "vestibule-local-attachments"

MEDIA_SECRET_VARIABLE = "VESTIBULE_MEDIA_SHARED_SECRET"  # noqa: S105 - a name, not a secret
TURN_SECRET_VARIABLE = "VESTIBULE_TURN_SECRET"  # noqa: S105 - a name, not a secret
LOCAL_WORKER_ID = "local-worker"
#: Seconds the local worker waits for calls to end on Ctrl-C (the supervisor waits 10).
LOCAL_DRAIN_SECONDS = 5
#: The local worker's own TURN credentials outlast any sitting at the keyboard.
WORKER_TURN_LIFETIME = timedelta(days=30)

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
        "VESTIBULE_PUBLIC_BASE_URL": options.front_url,
        "VESTIBULE_WS_MANAGEMENT_ENDPOINT": options.management_endpoint,
        "VESTIBULE_WS_API_ID": WS_API_ID,
        "VESTIBULE_WS_STAGE": WS_STAGE,
        "VESTIBULE_ATTACHMENTS_BUCKET": ATTACHMENTS_BUCKET,
        MEDIA_SECRET_VARIABLE: _secret(base, MEDIA_SECRET_VARIABLE),
        TURN_SECRET_VARIABLE: _secret(base, TURN_SECRET_VARIABLE),
        "VESTIBULE_TURN_URLS": f"turn:{options.turn_address}?transport=udp,"
        f"turn:{options.turn_address}?transport=tcp",
        "VESTIBULE_STUN_URLS": f"stun:{options.turn_address}",
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


def media_worker_environment(
    options: StackOptions, base: Mapping[str, str], *, with_turn: bool
) -> dict[str, str]:
    """The media worker's environment: the app's, plus its own; TURN only if coturn runs."""
    environment = child_environment(options, base)
    environment.update(
        {
            "VESTIBULE_MEDIA_WORKER_ID": LOCAL_WORKER_ID,
            "VESTIBULE_MEDIA_CONTROL_HOST": options.host,
            "VESTIBULE_MEDIA_CONTROL_PORT": str(options.media_port),
            "VESTIBULE_MEDIA_CONTROL_URL": options.media_url,
            "VESTIBULE_MEDIA_UDP_PORTS": options.media_udp_ports,
            "VESTIBULE_MEDIA_DRAIN_SECONDS": str(LOCAL_DRAIN_SECONDS),
            # Browser and worker share this machine: their candidates are loopback, private
            # or mDNS addresses, which a worker in AWS drops (media_worker/candidate_policy.py).
            "VESTIBULE_MEDIA_ALLOW_PRIVATE_CANDIDATES": "1",
        }
    )
    if with_turn:
        issued = turn_credentials(
            environment[TURN_SECRET_VARIABLE],
            LOCAL_WORKER_ID,
            now=datetime.now(UTC),
            ttl=WORKER_TURN_LIFETIME,
        )
        environment.update(
            {
                "VESTIBULE_MEDIA_STUN_URL": f"stun:{options.turn_address}",
                "VESTIBULE_MEDIA_TURN_URL": f"turn:{options.turn_address}?transport=udp",
                "VESTIBULE_MEDIA_TURN_USERNAME": issued.username,
                "VESTIBULE_MEDIA_TURN_PASSWORD": issued.credential,
            }
        )
    return environment


def with_secrets(base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus the stack's shared secrets: the shell's when set, or fresh random ones."""
    generated = {
        name: base.get(name) or secrets.token_urlsafe(32)
        for name in (MEDIA_SECRET_VARIABLE, TURN_SECRET_VARIABLE)
    }
    return {**base, **generated}


def _secret(base: Mapping[str, str], name: str) -> str:
    value = base.get(name)
    if not value:
        raise ValueError(f"{name} is missing: build the stack's environment with with_secrets()")
    return value


def sender_email(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(SENDER_VARIABLE) or DEFAULT_SENDER
