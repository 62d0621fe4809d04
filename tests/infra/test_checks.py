"""cdk-nag's AwsSolutions and HIPAA Security packs and cfn-lint have nothing left to say.

Every finding the packs report is either fixed or suppressed in the construct that causes
it, with its reason; a suppression without a real reason fails here. cfn-lint reads the
template as CloudFormation will (the SAM transform included).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Annotations, Match
from cfnlint.api import ManualArgs, lint_file

from tests.infra.conftest import TEST_REGION, Synthesized

#: W3005: CDK's own constructs (custom resources, ECS targets) add a DependsOn beside a Ref
#: or GetAtt to the same resource. Redundant, harmless, and not ours to change.
IGNORED_LINT_CHECKS = ["W3005"]


@pytest.mark.parametrize("stage", ["dev", "prod", "dev_without_domain"])
def test_no_unsuppressed_nag_finding(stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    annotations = Annotations.from_stack(synthesized.stack)
    findings = [
        f"{message.id}: {str(message.entry.data)[:160]}"
        for pack in ("AwsSolutions-.*", "HIPAA\\.Security-.*")
        for level in (annotations.find_error, annotations.find_warning)
        for message in level("*", Match.string_like_regexp(pack))
    ]
    assert findings == []


#: The first test waits for the session's synthesis: about a minute on a clean machine
#: (chalice package downloads wheels), more on a loaded one.
pytestmark = pytest.mark.timeout(900)


@pytest.mark.parametrize("stage", ["dev", "dev_without_domain"])
def test_every_suppression_gives_its_reason(stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    template = json.loads(synthesized.template_file.read_text("utf-8"))
    suppressions = [
        rule
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions, "the packs ran and found what the constructs explain"
    for rule in suppressions:
        assert len(rule["reason"].split()) >= 6, rule


@pytest.mark.parametrize("stage", ["dev", "prod", "dev_without_domain"])
def test_cfn_lint_reports_nothing(stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    matches = lint_file(
        Path(synthesized.template_file),
        config=ManualArgs(regions=[TEST_REGION], ignore_checks=IGNORED_LINT_CHECKS),
    )
    assert [str(match) for match in matches] == []


def test_synthesis_time_is_reported(
    dev: Synthesized, prod: Synthesized, dev_without_domain: Synthesized
) -> None:
    """Not a limit (the machine is shared): the numbers appear in the report with -s."""
    print(
        f"\nsynthesis: dev {dev.seconds:.1f} s, prod {prod.seconds:.1f} s, "
        f"dev without a domain {dev_without_domain.seconds:.1f} s"
    )
    assert dev.seconds > 0 and prod.seconds > 0 and dev_without_domain.seconds > 0
