"""Settings of the app, read once from the environment with typed values.

`Settings.from_environ()` reads `os.environ`; tests pass their own mapping. A missing or
malformed value raises `ConfigError` naming the variable, so a misconfigured deployment
fails at cold start with a message an operator can act on, not later with a KeyError.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

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

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = _Reader(os.environ if environ is None else environ)
        stage = env.choice("VESTIBULE_STAGE", STAGES)
        return cls(
            stage=stage,
            region=env.first("AWS_REGION", "AWS_DEFAULT_REGION"),
            table_prefix=env.text("VESTIBULE_TABLE_PREFIX", default=f"vestibule-{stage}-"),
            retention_days=env.integer("VESTIBULE_RETENTION_DAYS", default=30, minimum=1),
            websocket_management_endpoint=env.optional("VESTIBULE_WS_MANAGEMENT_ENDPOINT"),
            websocket_api_id=env.optional("VESTIBULE_WS_API_ID"),
            websocket_stage=env.text("VESTIBULE_WS_STAGE", default=stage),
        )

    def table_name(self, base_name: str) -> str:
        return f"{self.table_prefix}{base_name}"


class _Reader:
    """Reads typed values from a mapping; every failure names the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def optional(self, key: str) -> str | None:
        value = self._environ.get(key, "").strip()
        return value or None

    def text(self, key: str, *, default: str | None = None) -> str:
        value = self.optional(key)
        if value is not None:
            return value
        if default is None:
            raise ConfigError(f"{key} is not set")
        return default

    def first(self, *keys: str) -> str:
        for key in keys:
            value = self.optional(key)
            if value is not None:
                return value
        raise ConfigError(f"none of {', '.join(keys)} is set")

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise ConfigError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def integer(self, key: str, *, default: int, minimum: int) -> int:
        raw = self.optional(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, not {raw!r}") from None
        if value < minimum:
            raise ConfigError(f"{key} must be at least {minimum}, not {value}")
        return value
