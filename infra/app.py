"""The CDK app: lists the stages. `cdk deploy -c stage=dev -c sender_domain=...`.

The region comes from the operator's AWS profile (`CDK_DEFAULT_REGION`) and the account
is resolved at deploy time, never written in the repository; everything else a stage needs is CDK
context (`infra/stages.py` names the keys).
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks

from infra.stack import VestibuleStack
from infra.stages import StageConfig


def build(app: cdk.App) -> VestibuleStack:
    """The stack of the stage named in context, with cdk-nag's packs checking it."""
    stage = StageConfig.from_context(app.node.try_get_context)
    # Access-log buckets get a bucket policy for log delivery, not a legacy ACL.
    app.node.set_context("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", True)
    region = os.environ.get("CDK_DEFAULT_REGION")
    if region:
        # `chalice package` (run during synth) needs a region for its boto3 clients.
        os.environ.setdefault("AWS_DEFAULT_REGION", region)
    stack = VestibuleStack(
        app,
        f"Vestibule-{stage.name}",
        stage=stage,
        # Region only: the account stays a deploy-time value, and availability zones come
        # from Fn::GetAZs rather than from a lookup that needs credentials at synth.
        env=cdk.Environment(region=region),
        description=f"Vestibule teleconsultation, stage {stage.name}",
    )
    cdk.Tags.of(stack).add("application", "vestibule")
    cdk.Tags.of(stack).add("stage", stage.name)
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    cdk.Aspects.of(app).add(HIPAASecurityChecks(verbose=True))
    return stack


def main() -> None:
    app = cdk.App()
    build(app)
    app.synth()


if __name__ == "__main__":
    main()
