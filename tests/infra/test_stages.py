"""A stage's settings come from CDK context, with clear errors naming the missing key."""

from __future__ import annotations

import pytest

from infra.stages import StageConfig, StageError

REQUIRED = {
    "stage": "dev",
    "sender_domain": "clinic.example",
    "domain_name": "vestibule.clinic.example",
    "certificate_arn": "arn:aws:acm:us-east-1:111111111111:certificate/test",
}


def read(**context: object) -> StageConfig:
    return StageConfig.from_context({**REQUIRED, **context}.get)


def test_prod_protects_data_and_dev_does_not() -> None:
    assert read(stage="prod").protect_data is True
    assert read(stage="dev").protect_data is False
    assert read(stage="prod").prefix == "vestibule-prod-"


@pytest.mark.parametrize("key", ["stage", "sender_domain"])
def test_a_missing_required_value_is_named(key: str) -> None:
    with pytest.raises(StageError, match=key):
        read(**{key: None})


def test_the_domain_and_its_certificate_are_optional_together() -> None:
    with_domain = read()
    assert with_domain.domain_name == "vestibule.clinic.example"
    assert with_domain.certificate_arn == REQUIRED["certificate_arn"]
    without = read(domain_name=None, certificate_arn="")
    assert (without.domain_name, without.certificate_arn) == (None, None)
    assert without.public_base_url_parameter == "/vestibule/dev/public-base-url"
    assert read(stage="prod").public_base_url_parameter == "/vestibule/prod/public-base-url"


@pytest.mark.parametrize("missing", ["domain_name", "certificate_arn"])
def test_a_domain_without_its_certificate_or_the_reverse_is_refused(missing: str) -> None:
    with pytest.raises(StageError, match="domain_name and certificate_arn go together"):
        read(**{missing: None})


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(StageError, match="dev, prod"):
        read(stage="staging")


def test_turn_domain_needs_its_certificate() -> None:
    with pytest.raises(StageError, match="turn_certificate_arn"):
        read(turn_domain_name="turn.clinic.example")


def test_worker_counts_are_checked() -> None:
    with pytest.raises(StageError, match="media_min_workers"):
        read(media_min_workers="3", media_max_workers="2")
    with pytest.raises(StageError, match="whole number"):
        read(media_min_workers="two")


def test_managed_turn_urls_are_split_on_spaces() -> None:
    config = read(managed_turn_urls="turn:a.example:3478 turns:a.example:443")
    assert config.managed_turn_urls == ("turn:a.example:3478", "turns:a.example:443")
