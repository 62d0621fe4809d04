"""Settings of the app, read once from the environment with typed values.

`Settings.from_environ()` reads `os.environ`; tests pass their own mapping. A missing or
malformed value raises `ConfigError` naming the variable, so a misconfigured deployment
fails at cold start with a message an operator can act on, not later with a KeyError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.env_reader import EnvReader
from chalicelib.errors import ConfigError

STAGES = ("local", "test", "dev", "prod")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Typed configuration of one deployment stage."""

    stage: str
    region: str
    table_prefix: str
    retention_days: int
    #: Where the API Gateway Management API is reached outside AWS (the local stack).
    websocket_management_endpoint: str | None
    #: Lets REST routes and the scheduler push to websockets (`configure_from_api_id`).
    websocket_api_id: str | None
    websocket_stage: str
    #: Signs requests to the media workers' control API; required once media is used.
    media_shared_secret: str | None
    #: The media workers this deployment assigns consultations to.
    media_pool: str
    #: coturn's `static-auth-secret`, for browsers' short-lived TURN credentials.
    turn_secret: str | None
    turn_urls: tuple[str, ...]
    stun_urls: tuple[str, ...]
    #: The SES identity emails come from; required once an email is sent.
    sender_email: str | None = None
    #: Where people open the web UI (links in emails point there), without a trailing slash.
    public_base_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = EnvReader(os.environ if environ is None else environ, error=ConfigError)
        stage = env.choice("VESTIBULE_STAGE", STAGES)
        return cls(
            stage=stage,
            region=env.first("AWS_REGION", "AWS_DEFAULT_REGION"),
            table_prefix=env.text("VESTIBULE_TABLE_PREFIX", default=f"vestibule-{stage}-"),
            retention_days=env.integer("VESTIBULE_RETENTION_DAYS", default=30, minimum=1),
            websocket_management_endpoint=env.optional("VESTIBULE_WS_MANAGEMENT_ENDPOINT"),
            websocket_api_id=env.optional("VESTIBULE_WS_API_ID"),
            websocket_stage=env.text("VESTIBULE_WS_STAGE", default=stage),
            media_shared_secret=env.optional_secret("VESTIBULE_MEDIA_SHARED_SECRET"),
            media_pool=env.text("VESTIBULE_MEDIA_POOL", default="default"),
            turn_secret=env.optional_secret("VESTIBULE_TURN_SECRET"),
            turn_urls=env.words("VESTIBULE_TURN_URLS"),
            stun_urls=env.words("VESTIBULE_STUN_URLS"),
            sender_email=env.optional("VESTIBULE_SENDER_EMAIL"),
            public_base_url=_without_trailing_slash(env.optional("VESTIBULE_PUBLIC_BASE_URL")),
        )

    def table_name(self, base_name: str) -> str:
        return f"{self.table_prefix}{base_name}"

    def require_sender_email(self) -> str:
        """The sender address, or a `ConfigError` naming the variable to set."""
        if self.sender_email is None:
            raise ConfigError("VESTIBULE_SENDER_EMAIL is not set: email cannot be sent")
        return self.sender_email


def _without_trailing_slash(url: str | None) -> str | None:
    return url.rstrip("/") if url else None
