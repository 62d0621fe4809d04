"""The attachments bucket: chat images and PDFs, uploaded by browsers with presigned POSTs.

KMS-encrypted with its own key, all public access blocked, TLS only, CORS for uploads from
our own origin only, objects expiring with the retention period (old versions a day later),
access logs to a separate bucket, and GuardDuty Malware Protection for S3 scanning every new
object as a second line behind the app's byte check (it tags each object with its verdict).

The bucket's name is fixed from the stage, account and region, so the web's CSP can name it
without the two constructs depending on each other. Its CORS origin is the site's address,
which without a domain is the CloudFront distribution's own name: the bucket then depends on
the distribution, which depends on the APIs and their functions. So nothing the functions
depend on may reference the bucket: they receive its name, and the access-log bucket's policy
admits its logs by the ARN built from that name (`_log_to`), not by a reference.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.components.data_keys import data_key, removal_policy

_NO_REPLICATION = (
    "Attachments live only as long as their consultation (days); a second region would "
    "double the places personal data must be deleted from. Versioning and KMS cover loss."
)


def attachments_bucket_name(prefix: str) -> str:
    return f"{prefix}attachments-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}"


def attachments_origin(prefix: str) -> str:
    """The bucket's regional virtual-hosted address, where browsers POST and GET."""
    return f"https://{attachments_bucket_name(prefix)}.s3.{cdk.Aws.REGION}.amazonaws.com"


class Files(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        prefix: str,
        web_origin: str,
        retention_days: int,
        access_logs: s3.IBucket,
        protect_data: bool,
    ) -> None:
        super().__init__(scope, id)
        removal = removal_policy(protect_data)
        self.key = data_key(self, description="Vestibule attachments", protect_data=protect_data)
        self.bucket = s3.Bucket(
            self,
            "Attachments",
            bucket_name=attachments_bucket_name(prefix),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            versioned=True,
            removal_policy=removal,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_origins=[web_origin],
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="retention",
                    expiration=cdk.Duration.days(retention_days),
                    noncurrent_version_expiration=cdk.Duration.days(1),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                    expired_object_delete_marker=False,
                )
            ],
        )
        NagSuppressions.add_resource_suppressions(
            self.bucket,
            [{"id": "HIPAA.Security-S3BucketReplicationEnabled", "reason": _NO_REPLICATION}],
        )
        self._log_to(access_logs, attachments_bucket_name(prefix))
        self._malware_protection()

    def _log_to(self, access_logs: s3.IBucket, bucket_name: str) -> None:
        """Server access logs under `attachments/`, as `server_access_logs_bucket` would set
        them, except that the log bucket's policy names this bucket by its ARN built from
        its name: the TURN balancer (whose address the functions hold) waits for that policy,
        and a reference would make it wait for this bucket and its CORS origin too."""
        bucket = self.bucket.node.default_child
        assert isinstance(bucket, s3.CfnBucket)
        bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=access_logs.bucket_name, log_file_prefix="attachments/"
        )
        access_logs.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[access_logs.arn_for_objects("attachments/*")],
                conditions={
                    "ArnLike": {"aws:SourceArn": f"arn:{cdk.Aws.PARTITION}:s3:::{bucket_name}"},
                    "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                },
            )
        )

    def _malware_protection(self) -> None:
        """GuardDuty scans each new object and tags it; its role may touch only this bucket."""
        role = iam.Role(
            self,
            "MalwareProtectionRole",
            assumed_by=iam.ServicePrincipal("malware-protection-plan.guardduty.amazonaws.com"),
            description="GuardDuty Malware Protection for S3 on the attachments bucket",
        )
        bucket = self.bucket
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                ],
                resources=[bucket.arn_for_objects("*")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("malware-protection-resource-validation-object")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket", "s3:GetBucketNotification", "s3:PutBucketNotification"],
                resources=[bucket.bucket_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                    "events:DescribeRule",
                    "events:ListTargetsByRule",
                ],
                resources=[
                    cdk.Stack.of(self).format_arn(
                        service="events",
                        resource="rule",
                        resource_name="DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*",
                    )
                ],
            )
        )
        self.key.grant_decrypt(role)
        self.key.grant(role, "kms:GenerateDataKey")
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "GuardDuty scans every object of this one bucket, and manages "
                    "only the EventBridge rules AWS names with its fixed prefix.",
                    "applies_to": [
                        "Resource::<FilesAttachments*.Arn>/*",
                        {"regex": "/^Resource::arn:.*:events:.*DO-NOT-DELETE-.*\\*$/g"},
                    ],
                }
            ],
            apply_to_children=True,
        )
        guardduty.CfnMalwareProtectionPlan(
            self,
            "MalwareProtection",
            role=role.role_arn,
            protected_resource=guardduty.CfnMalwareProtectionPlan.CFNProtectedResourceProperty(
                s3_bucket=guardduty.CfnMalwareProtectionPlan.S3BucketProperty(
                    bucket_name=bucket.bucket_name
                )
            ),
            actions=guardduty.CfnMalwareProtectionPlan.CFNActionsProperty(
                tagging=guardduty.CfnMalwareProtectionPlan.CFNTaggingProperty(status="ENABLED")
            ),
        )
