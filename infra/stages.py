"""What differs between stages, read from CDK context: never account ids or domains in code.

`cdk deploy -c stage=prod -c sender_domain=clinic.example ...` (or a `cdk.context.json` kept
out of the repository) names the stage and the operator's own values. `StageConfig` holds
them typed, with the stage's defaults for everything else; a missing required value raises
`StageError` naming the context key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

STAGE_NAMES = ("dev", "prod")


class StageError(Exception):
    """A context value is missing or malformed; the message names the key."""


@dataclass(frozen=True, kw_only=True)
class StageConfig:
    name: str
    #: Tables, bucket and keys survive `cdk destroy` and cannot be deleted by accident.
    protect_data: bool
    log_retention_days: int
    retention_days: int
    #: SES sends from `no-reply@<sender_domain>`; the domain is verified with Easy DKIM.
    sender_domain: str
    #: Alarms are sent here (an SNS subscription the operator confirms).
    alarm_email: str | None
    #: Where people open the web UI and the API (one origin), with its ACM certificate
    #: in us-east-1 (CloudFront's region). Links in messages point there. Both or neither:
    #: without them the site is served on the distribution's own `*.cloudfront.net` name.
    domain_name: str | None
    certificate_arn: str | None
    #: TURN over TLS on 443: a regional ACM certificate for `turn_domain_name`.
    turn_domain_name: str | None
    turn_certificate_arn: str | None
    #: A managed TURN service instead of our coturn task (space-separated URLs).
    managed_turn_urls: tuple[str, ...]
    sms_monthly_spend_limit_usd: int
    #: End User Messaging Social's phone number id; WhatsApp is off without it.
    whatsapp_phone_number_id: str | None
    media_min_workers: int
    media_max_workers: int
    nat_gateways: int

    @property
    def prefix(self) -> str:
        """The stage's name prefix: tables are `vestibule-<stage>-<table>`."""
        return f"vestibule-{self.name}-"

    @property
    def public_base_url_parameter(self) -> str:
        """The SSM parameter holding the site's address when the stage has no domain."""
        return f"/vestibule/{self.name}/public-base-url"

    @classmethod
    def from_context(cls, lookup: Callable[[str], object]) -> StageConfig:
        """Read the stage from `lookup` (a construct node's `try_get_context`)."""

        def text(key: str) -> str | None:
            value = lookup(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise StageError(f"context {key} must be text, not {value!r}")
            return value

        def required(key: str) -> str:
            value = text(key)
            if value is None:
                raise StageError(f"context {key} is required: cdk deploy -c {key}=...")
            return value

        def integer(key: str, default: int) -> int:
            value = lookup(key)
            if value is None:
                return default
            try:
                number = int(str(value))
            except ValueError:
                raise StageError(f"context {key} must be a whole number, not {value!r}") from None
            if number < 0:
                raise StageError(f"context {key} must not be negative")
            return number

        name = required("stage")
        if name not in STAGE_NAMES:
            raise StageError(f"context stage must be one of {', '.join(STAGE_NAMES)}, not {name!r}")
        prod = name == "prod"
        domain, certificate = text("domain_name"), text("certificate_arn")
        if bool(domain) != bool(certificate):
            raise StageError(
                "context domain_name and certificate_arn go together: give both (the site on "
                "your domain) or neither (the site on CloudFront's own address)"
            )
        turn_domain, turn_certificate = text("turn_domain_name"), text("turn_certificate_arn")
        if bool(turn_domain) != bool(turn_certificate):
            raise StageError("context turn_domain_name and turn_certificate_arn go together")
        min_workers = integer("media_min_workers", 2 if prod else 1)
        max_workers = integer("media_max_workers", 10 if prod else 2)
        if not 1 <= min_workers <= max_workers:
            raise StageError("context media_min_workers must be 1 to media_max_workers")
        return cls(
            name=name,
            protect_data=prod,
            log_retention_days=365 if prod else 30,
            retention_days=integer("retention_days", 30),
            sender_domain=required("sender_domain"),
            alarm_email=text("alarm_email"),
            domain_name=domain,
            certificate_arn=certificate,
            turn_domain_name=turn_domain,
            turn_certificate_arn=turn_certificate,
            managed_turn_urls=tuple((text("managed_turn_urls") or "").split()),
            sms_monthly_spend_limit_usd=integer("sms_monthly_spend_limit_usd", 100 if prod else 10),
            whatsapp_phone_number_id=text("whatsapp_phone_number_id"),
            media_min_workers=min_workers,
            media_max_workers=max_workers,
            nat_gateways=integer("nat_gateways", 2 if prod else 1),
        )
