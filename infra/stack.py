"""One stage of Vestibule: composes the component constructs and makes every grant.

Components receive what they need as keyword arguments and expose what others need; only
here does one component's resource get access to another's (the Lambdas to the tables, the
bucket, the secrets and the senders; the workers to their registry). Each grant names its
resources and actions: nothing gets `*` on a data resource.

The site's address (`VESTIBULE_PUBLIC_BASE_URL`, the base of links in messages) is the
operator's domain when the stage has one. Without one it is CloudFront's own name, which
exists only once the distribution does, and the distribution depends on the APIs, which
depend on the functions: an environment variable would close a cycle. So the stack writes
the address into an SSM parameter and gives the functions its name (a plain string), and
they read it at run time (`chalicelib.wiring.read_parameter`). For the same reason nothing
the functions reference may depend on the distribution: the attachments bucket, whose CORS
origin is the site's address, reaches them by its fixed name, never by a reference.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from cdk_nag import NagSuppressions
from constructs import Construct

from infra.components.api import API_STAGE, FUNCTIONS, Api
from infra.components.database import Database
from infra.components.files import Files, attachments_bucket_name, attachments_origin
from infra.components.media import WORKER_LOAD_ALARM, Media
from infra.components.messaging import Messaging
from infra.components.monitoring import Monitoring
from infra.components.scheduling import Scheduling
from infra.components.secrets import Secrets
from infra.components.web import Web
from infra.stages import StageConfig

#: How long the app caches a secret read through Powertools Parameters.
SECRET_CACHE_SECONDS = 300


class VestibuleStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, stage: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.stage = stage
        NagSuppressions.add_stack_suppressions(
            self,
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "Each role's grants are its own AWS::IAM::Policy naming exact "
                    "resources; shared managed policies would widen them across roles.",
                }
            ],
        )
        self.logs_key = self._logs_key()
        self.access_logs = self._access_log_bucket()
        self.database = Database(
            self, "Database", prefix=stage.prefix, protect_data=stage.protect_data
        )
        self.secrets = Secrets(
            self, "Secrets", prefix=stage.prefix, protect_data=stage.protect_data
        )
        self.messaging = Messaging(
            self,
            "Messaging",
            prefix=stage.prefix,
            sender_domain=stage.sender_domain,
            sms_monthly_spend_limit_usd=stage.sms_monthly_spend_limit_usd,
            whatsapp_phone_number_id=stage.whatsapp_phone_number_id,
        )
        self.media = Media(
            self,
            "Media",
            stage_name=stage.name,
            table_prefix=stage.prefix,
            registry=self.database.tables["media_workers"],
            media_secret=self.secrets.media_control,
            turn_secret=self.secrets.turn,
            managed_turn_urls=stage.managed_turn_urls,
            turn_domain_name=stage.turn_domain_name,
            turn_certificate_arn=stage.turn_certificate_arn,
            min_workers=stage.media_min_workers,
            max_workers=stage.media_max_workers,
            nat_gateways=stage.nat_gateways,
            log_retention_days=stage.log_retention_days,
            logs_key=self.logs_key,
            access_logs=self.access_logs,
        )
        self.api = Api(
            self,
            "Api",
            stage_name=stage.name,
            rest_api_name=f"{stage.prefix}api",
            environment={
                "VESTIBULE_TABLE_PREFIX": stage.prefix,
                "VESTIBULE_RETENTION_DAYS": str(stage.retention_days),
                "VESTIBULE_WS_STAGE": API_STAGE,
                "VESTIBULE_SENDER_EMAIL": self.messaging.sender_email,
                "VESTIBULE_SECRETS_MAX_AGE": str(SECRET_CACHE_SECONDS),
            },
            vpc=self.media.vpc,
            security_group=self.media.client_security_group,
            log_retention_days=stage.log_retention_days,
            logs_key=self.logs_key,
        )
        self.api.add_environment(
            "VESTIBULE_MEDIA_SHARED_SECRET_NAME", self.secrets.media_control.secret_arn
        )
        self.api.add_environment("VESTIBULE_TURN_SECRET_NAME", self.secrets.turn.secret_arn)
        # Lists are comma-separated, as chalicelib.env_reader.EnvReader.words reads them.
        self.api.add_environment("VESTIBULE_TURN_URLS", ",".join(self.media.turn_urls))
        self.api.add_environment("VESTIBULE_STUN_URLS", ",".join(self.media.stun_urls))
        self.web = Web(
            self,
            "Web",
            rest_api_domain=self.api.rest_api_domain,
            websocket_api_domain=self.api.websocket_api_domain,
            api_stage=API_STAGE,
            attachments_origin=attachments_origin(stage.prefix),
            domain_name=stage.domain_name,
            certificate_arn=stage.certificate_arn,
            access_logs=self.access_logs,
        )
        public_base_url = f"https://{self.web.host}"
        self._tell_the_app(public_base_url)
        self.files = Files(
            self,
            "Files",
            prefix=stage.prefix,
            web_origin=public_base_url,
            retention_days=stage.retention_days,
            access_logs=self.access_logs,
            protect_data=stage.protect_data,
        )
        # By name, not by reference: the bucket's CORS origin may be the distribution's name.
        self.api.add_environment(
            "VESTIBULE_ATTACHMENTS_BUCKET", attachments_bucket_name(stage.prefix)
        )
        self.scheduling = Scheduling(self, "Scheduling", chalice=self.api.chalice)
        self._grant_app(self.api.role)
        self._explain_deploy_time_functions()
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            prefix=stage.prefix,
            rest_api_name=f"{stage.prefix}api",
            api_stage=API_STAGE,
            websocket_api_id=self.api.websocket_api_id,
            function_names={name: self.api.chalice.get_resource(name).ref for name in FUNCTIONS},
            tables=self.database.all_tables,
            worker_service=self.media.worker_service,
            worker_metrics=self.media.worker_metrics,
            worker_load=self.media.load_metric,
            worker_load_alarm=WORKER_LOAD_ALARM,
            min_workers=stage.media_min_workers,
            sms_monthly_spend_limit_usd=stage.sms_monthly_spend_limit_usd,
            alarm_email=stage.alarm_email,
            key=self.logs_key,
        )

    def _tell_the_app(self, public_base_url: str) -> None:
        """The site's address for links: a variable with a domain, else an SSM parameter."""
        if self.stage.domain_name:
            self.api.add_environment("VESTIBULE_PUBLIC_BASE_URL", public_base_url)
            return
        name = self.stage.public_base_url_parameter
        ssm.StringParameter(
            self,
            "PublicBaseUrl",
            parameter_name=name,
            string_value=public_base_url,
            description="Where people open Vestibule; the base of links in messages",
        )
        self.api.add_environment("VESTIBULE_PUBLIC_BASE_URL_PARAMETER", name)
        # The ARN is built from the name: a reference to the parameter would make the
        # functions' role wait for the distribution, and so close the cycle above.
        self.api.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    self.format_arn(
                        service="ssm", resource="parameter", resource_name=name.lstrip("/")
                    )
                ],
            )
        )

    def _grant_app(self, role: iam.IRole) -> None:
        """What the Lambdas use that Chalice's generated policy cannot see."""
        for table in self.database.all_tables:
            table.grant_read_write_data(role)
        self.secrets.media_control.grant_read(role)
        self.secrets.turn.grant_read(role)
        self.messaging.grant_send(role)
        bucket = self.files.bucket
        bucket.grant_put(role)
        bucket.grant_read(role)
        bucket.grant_delete(role)
        NagSuppressions.add_resource_suppressions(
            self.api,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Table grants include the tables' own indexes (<table>/index/*); "
                    "object grants are limited to the attachments bucket (<bucket>/*); KMS "
                    "grants name our keys and vary only the data key (GenerateDataKey*, "
                    "ReEncrypt*); SMS to a phone number has no resource ARN (sns:Publish on *, "
                    "with topics denied).",
                }
            ],
            apply_to_children=True,
        )

    def _explain_deploy_time_functions(self) -> None:
        """CDK's own functions that run during a deployment, never on patient data."""
        reason = (
            "A CDK-provided function that runs only while CloudFormation deploys (uploading "
            "web/ to its bucket, setting the account's SMS preferences, closing the VPC's "
            "default security group); it never sees personal data, its code and role come "
            "from aws-cdk-lib."
        )
        deploy_time = (
            "Custom::CDKBucketDeployment",
            "AWS679f53fac",
            "Custom::VpcRestrictDefaultSG",
        )
        for child in self.node.children:
            if child.node.id.startswith(deploy_time):
                NagSuppressions.add_resource_suppressions(
                    child,
                    [
                        {"id": rule, "reason": reason}
                        for rule in (
                            "AwsSolutions-IAM4",
                            "AwsSolutions-IAM5",
                            "AwsSolutions-L1",
                            "HIPAA.Security-LambdaConcurrency",
                            "HIPAA.Security-LambdaDLQ",
                            "HIPAA.Security-LambdaInsideVPC",
                        )
                    ],
                    apply_to_children=True,
                )

    def _logs_key(self) -> kms.Key:
        key = kms.Key(
            self,
            "LogsKey",
            description="Vestibule logs and alarm topics",
            enable_key_rotation=True,
        )
        key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{cdk.Aws.REGION}.amazonaws.com"))
        key.grant_encrypt_decrypt(iam.ServicePrincipal("cloudwatch.amazonaws.com"))
        return key

    def _access_log_bucket(self) -> s3.Bucket:
        removal = cdk.RemovalPolicy.RETAIN if self.stage.protect_data else cdk.RemovalPolicy.DESTROY
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            enforce_ssl=True,
            versioned=True,
            removal_policy=removal,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=cdk.Duration.days(self.stage.log_retention_days))
            ],
        )
        reason = "This is the access-log bucket itself."
        NagSuppressions.add_resource_suppressions(
            bucket,
            [
                {"id": "AwsSolutions-S1", "reason": reason},
                {"id": "HIPAA.Security-S3BucketLoggingEnabled", "reason": reason},
                {
                    "id": "HIPAA.Security-S3BucketReplicationEnabled",
                    "reason": "Access logs are kept for their retention period in one region.",
                },
                {
                    "id": "HIPAA.Security-S3DefaultEncryptionKMS",
                    "reason": "S3 server access log and CloudFront log delivery support only "
                    "SSE-S3 targets.",
                },
            ],
        )
        return bucket
