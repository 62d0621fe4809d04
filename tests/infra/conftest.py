"""Synthesizes each stage once per test session, offline, and shares the results.

Synthesis runs `chalice package` (which reuses `.chalice/deployments` when the requirements
have not changed, else downloads manylinux wheels) and hashes the worker's Docker build
context without building it. Its duration is printed with `-s` and reported by
`test_synthesis_is_quick_enough`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# jsii prints a banner about the Node release on every start; it is not our concern here.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")

TEST_CONTEXT: dict[str, Any] = {
    "domain_name": "vestibule.clinic.example",
    "certificate_arn": "arn:aws:acm:us-east-1:111111111111:certificate/test",
    "sender_domain": "clinic.example",
    "alarm_email": "ops@clinic.example",
}
TEST_REGION = "eu-west-1"
#: prod is synthesized with the optional parts too: TURN over TLS and WhatsApp.
PROD_EXTRAS: dict[str, Any] = {
    "turn_domain_name": "turn.clinic.example",
    "turn_certificate_arn": "arn:aws:acm:eu-west-1:111111111111:certificate/turn",
    "whatsapp_phone_number_id": "phone-number-id-0123",
}
#: dev is synthesized a second time as an operator without a domain deploys it: the site on
#: CloudFront's own address, which the functions read from an SSM parameter at run time.
WITHOUT_DOMAIN: dict[str, Any] = {"domain_name": None, "certificate_arn": None}


@dataclass(frozen=True)
class Synthesized:
    stack: Any  # VestibuleStack
    template: Any  # aws_cdk.assertions.Template
    template_file: Path
    seconds: float


def synthesize(stage: str, outdir: Path, extra: dict[str, Any] | None = None) -> Synthesized:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import build

    started = time.monotonic()
    os.environ["CDK_DEFAULT_REGION"] = TEST_REGION
    context = {"stage": stage, **TEST_CONTEXT, **(extra or {})}
    app = cdk.App(
        outdir=str(outdir),
        context={key: value for key, value in context.items() if value is not None},
    )
    # chalice.cdk writes `chalice.out` into the working directory: a scratch one, briefly.
    with contextlib.chdir(outdir.parent):
        stack = build(app)
        assembly = app.synth()
    seconds = time.monotonic() - started
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    template_file = Path(artifact.template_full_path)
    return Synthesized(
        stack=stack,
        template=Template.from_json(json.loads(template_file.read_text("utf-8"))),
        template_file=template_file,
        seconds=seconds,
    )


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synth")


@pytest.fixture(scope="session")
def dev(synth_dir: Path) -> Synthesized:
    result = synthesize("dev", synth_dir / "dev.out")
    print(f"\nsynthesized dev in {result.seconds:.1f} s")
    return result


@pytest.fixture(scope="session")
def prod(synth_dir: Path) -> Synthesized:
    result = synthesize("prod", synth_dir / "prod.out", PROD_EXTRAS)
    print(f"\nsynthesized prod in {result.seconds:.1f} s")
    return result


@pytest.fixture(scope="session")
def dev_without_domain(synth_dir: Path) -> Synthesized:
    result = synthesize("dev", synth_dir / "dev-without-domain.out", WITHOUT_DOMAIN)
    print(f"\nsynthesized dev without a domain in {result.seconds:.1f} s")
    return result
