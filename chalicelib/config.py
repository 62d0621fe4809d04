"""Settings of the app, read once from the environment with typed values.

`Settings.from_environ()` reads `os.environ`; tests pass their own mapping. A missing or
malformed value raises `ConfigError` naming the variable, so a misconfigured deployment
fails at cold start with a message an operator can act on, not later with a KeyError.

Secrets come one of two ways: as plain values (`VESTIBULE_MEDIA_SHARED_SECRET`,
`VESTIBULE_TURN_SECRET`: the local stack and the tests), or, in AWS, as the names or ARNs
of Secrets Manager secrets (`..._SECRET_NAME`), which `wiring` reads on first use through
Powertools Parameters (cached for `VESTIBULE_SECRETS_MAX_AGE` seconds). A plain value wins.

The site's address comes the same two ways: `VESTIBULE_PUBLIC_BASE_URL` (the local stack, and
a stage with its own domain), or the name of an SSM parameter holding it
(`VESTIBULE_PUBLIC_BASE_URL_PARAMETER`: a stage served on CloudFront's own address, which the
stack only knows once the distribution exists), read the same way (`with_public_base_url`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from chalicelib.env_reader import MIN_SECRET_LENGTH, EnvReader
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
    #: Secrets Manager names (or ARNs) of the two secrets, read when no plain value is set.
    media_shared_secret_name: str | None = None
    turn_secret_name: str | None = None
    secrets_max_age_seconds: int = 300
    #: The SES identity emails come from; required once an email is sent.
    sender_email: str | None = None
    #: Where people open the web UI (links in emails point there), without a trailing slash.
    public_base_url: str | None = None
    #: The SSM parameter holding that address, read when no plain value is set.
    public_base_url_parameter: str | None = None
    #: The S3 bucket of chat files; files are unavailable (a config error) without it.
    attachments_bucket: str | None = None

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
            media_shared_secret_name=env.optional("VESTIBULE_MEDIA_SHARED_SECRET_NAME"),
            turn_secret_name=env.optional("VESTIBULE_TURN_SECRET_NAME"),
            secrets_max_age_seconds=env.integer(
                "VESTIBULE_SECRETS_MAX_AGE", default=300, minimum=0
            ),
            sender_email=env.optional("VESTIBULE_SENDER_EMAIL"),
            public_base_url=_without_trailing_slash(env.optional("VESTIBULE_PUBLIC_BASE_URL")),
            public_base_url_parameter=env.optional("VESTIBULE_PUBLIC_BASE_URL_PARAMETER"),
            attachments_bucket=env.optional("VESTIBULE_ATTACHMENTS_BUCKET"),
        )

    def table_name(self, base_name: str) -> str:
        return f"{self.table_prefix}{base_name}"

    def with_secrets(self, read: Callable[[str, int], str]) -> Settings:
        """These settings with each secret named but not given read by `read(name, max_age)`.

        A value read this way is checked like a plain one (`MIN_SECRET_LENGTH`).
        """

        def value(given: str | None, name: str | None) -> str | None:
            if given is not None or not name:
                return given
            read_value = read(name, self.secrets_max_age_seconds)
            if len(read_value) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    f"the secret {name} must be at least {MIN_SECRET_LENGTH} characters long"
                )
            return read_value

        return replace(
            self,
            media_shared_secret=value(self.media_shared_secret, self.media_shared_secret_name),
            turn_secret=value(self.turn_secret, self.turn_secret_name),
        )

    def with_public_base_url(self, read: Callable[[str, int], str]) -> Settings:
        """These settings with the site's address read by `read(name, max_age)` from the
        parameter they name, unless a plain address is set (it wins, and nothing is read).

        The value must be an address such as `https://vestibule.example` (no path, query or
        fragment); anything else is a `ConfigError` naming the parameter.
        """
        name = self.public_base_url_parameter
        if self.public_base_url is not None or not name:
            return self
        value = read(name, self.secrets_max_age_seconds)
        address = urlsplit(value.strip())
        if (
            address.scheme not in ("https", "http")
            or not address.hostname
            or address.path not in ("", "/")
            or address.query
            or address.fragment
        ):
            raise ConfigError(
                f"the parameter {name} must hold the site's address, such as "
                f"https://vestibule.example, not {value[:80]!r}"
            )
        return replace(self, public_base_url=_without_trailing_slash(value.strip()))

    def require_sender_email(self) -> str:
        """The sender address, or a `ConfigError` naming the variable to set."""
        if self.sender_email is None:
            raise ConfigError("VESTIBULE_SENDER_EMAIL is not set: email cannot be sent")
        return self.sender_email


def _without_trailing_slash(url: str | None) -> str | None:
    return url.rstrip("/") if url else None
