"""The Chalice app on Lambda and API Gateway, embedded with `chalice.cdk`.

`chalice package` (run during synth) turns `app.py` into a SAM template: the REST API, the
WebSocket API with its three routes, the five functions and their role. This construct then
adjusts what Chalice cannot express:

- the functions: stage settings as environment variables (including the WebSocket API's id
  and stage, so REST routes and the sweeper can push), JSON logs into log groups with a
  retention period, X-Ray, and a place in the VPC beside the media workers, whose control
  port only their security group may reach;
- the role: Chalice's generated policy sees neither PynamoDB nor presigned URLs, and its
  own statements use wildcards; the stack grants each table, bucket and secret explicitly
  (`role` below) and this construct narrows Chalice's statements to our resources;
- both APIs: throttling and access logs; the REST API behind a WAF web ACL with AWS's
  managed rule groups and a rate-based rule on the sign-in and link routes.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from cdk_nag import NagSuppressions
from chalice.cdk import Chalice
from constructs import Construct

from infra.components.log_groups import log_group

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: The API Gateway stage of both APIs; CloudFront sends `/api/*` to the REST API's stage.
API_STAGE = "api"
#: Every function `chalice package` makes from `app.py`, by its logical id.
FUNCTIONS = ("APIHandler", "Sweep", "WebsocketConnect", "WebsocketMessage", "WebsocketDisconnect")
#: Routes where a guessing attacker would start: sign-in links and link exchanges.
RATE_LIMITED_PATHS = (
    "/api/clinician/sign-in-links",
    "/api/clinician/sessions",
    "/api/participant-sessions",
)
#: Requests per five minutes from one address on those routes before WAF blocks it.
RATE_LIMIT_PER_5_MINUTES = 100

_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"time":"$context.requestTime","method":"$context.httpMethod",'
    '"route":"$context.routeKey","path":"$context.resourcePath",'
    '"status":"$context.status","latencyMs":"$context.responseLatency",'
    '"error":"$context.error.message","wafStatus":"$context.waf.status"}'
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage_name: str,
        rest_api_name: str,
        environment: dict[str, str],
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        log_retention_days: int,
        logs_key: kms.IKey,
    ) -> None:
        super().__init__(scope, id)
        self._rest_api_name = rest_api_name
        self.chalice = Chalice(
            self,
            "Chalice",
            source_dir=str(PROJECT_ROOT),
            stage_config={
                "api_gateway_stage": API_STAGE,
                "api_gateway_endpoint_type": "REGIONAL",
                "lambda_memory_size": 512,
                "lambda_timeout": 30,
                "xray": True,
                "environment_variables": {"VESTIBULE_STAGE": stage_name, **environment},
            },
        )
        self.rest_api_id = self.chalice.get_resource("RestAPI").ref
        self.websocket_api_id = self.chalice.get_resource("WebsocketAPI").ref
        self.role = self.chalice.get_role("DefaultRole")
        self.log_groups: dict[str, logs.LogGroup] = {}
        subnets = vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        for name in FUNCTIONS:
            self.log_groups[name] = log_group(
                self, f"{name}Logs", days=log_retention_days, key=logs_key
            )
            function = self.chalice.get_resource(name)
            function.add_property_override(
                "LoggingConfig",
                {"LogGroup": self.log_groups[name].log_group_name, "LogFormat": "JSON"},
            )
            function.add_property_override(
                "VpcConfig",
                {
                    "SecurityGroupIds": [security_group.security_group_id],
                    "SubnetIds": subnets.subnet_ids,
                },
            )
            self.chalice.add_environment_variable(
                "VESTIBULE_WS_API_ID", self.websocket_api_id, name
            )
        self._narrow_role()
        access_logs = log_group(self, "AccessLogs", days=log_retention_days, key=logs_key)
        self._rest_api_settings(access_logs)
        self._websocket_settings(access_logs)
        self._explain_findings()
        self.web_acl = self._web_acl(log_retention_days, logs_key)

    def add_environment(self, key: str, value: str) -> None:
        """Set one variable on every function (values may be tokens)."""
        for name in FUNCTIONS:
            self.chalice.add_environment_variable(key, value, name)

    @property
    def rest_api_domain(self) -> str:
        return f"{self.rest_api_id}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"

    @property
    def websocket_api_domain(self) -> str:
        return f"{self.websocket_api_id}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"

    def _narrow_role(self) -> None:
        """Replace Chalice's wildcard statements with ours, on our resources only."""
        stack = cdk.Stack.of(self)
        role = self.chalice.get_resource("DefaultRole")
        role.add_property_override(
            "Policies",
            [
                {
                    "PolicyName": "DefaultRolePolicy",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": [
                                    f"{group.log_group_arn}" for group in self.log_groups.values()
                                ],
                            },
                            {
                                "Effect": "Allow",
                                "Action": "execute-api:ManageConnections",
                                "Resource": stack.format_arn(
                                    service="execute-api",
                                    resource=self.websocket_api_id,
                                    resource_name=f"{API_STAGE}/*/@connections/*",
                                ),
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                "Resource": "*",
                            },
                        ],
                    },
                }
            ],
        )
        # A function in a VPC needs to manage its network interfaces (AWS's own policy).
        role.add_property_override(
            "ManagedPolicyArns",
            [
                f"arn:{cdk.Aws.PARTITION}:iam::aws:policy/service-role/"
                "AWSLambdaVPCAccessExecutionRole"
            ],
        )
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "AWSLambdaVPCAccessExecutionRole is AWS's policy for a function's "
                    "network interfaces in a VPC; it names no data resource.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Log streams are created per invocation inside our log groups; "
                    "connection ids are per client inside our WebSocket API's stage; X-Ray "
                    "has no resource-level permissions.",
                },
            ],
        )

    def _explain_findings(self) -> None:
        include = self.chalice.sam_template
        NagSuppressions.add_resource_suppressions(
            include.get_resource("WebsocketAPIStage"),
            [
                {
                    "id": "AwsSolutions-APIG1",
                    "reason": "Access logs are set by a property override, which cdk-nag "
                    "cannot see; tests/infra asserts them on the template.",
                }
            ],
        )
        for route in ("WebsocketConnectRoute", "WebsocketMessageRoute", "WebsocketDisconnectRoute"):
            NagSuppressions.add_resource_suppressions(
                include.get_resource(route),
                [
                    {
                        "id": "AwsSolutions-APIG4",
                        "reason": "Chalice has no websocket authorizer: $connect refuses a "
                        "connection without a valid single-use ticket from the REST API, and "
                        "messages are only accepted on connections it admitted.",
                    }
                ],
            )

    def _rest_api_settings(self, access_logs: logs.LogGroup) -> None:
        api = self.chalice.get_resource("RestAPI")
        api.add_property_override("Name", self._rest_api_name)
        api.add_property_override("TracingEnabled", True)
        api.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": access_logs.log_group_arn, "Format": _ACCESS_LOG_FORMAT},
        )
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": 100,
                    "ThrottlingBurstLimit": 200,
                    "MetricsEnabled": True,
                    "LoggingLevel": "ERROR",
                    "DataTraceEnabled": False,
                }
            ],
        )

    def _websocket_settings(self, access_logs: logs.LogGroup) -> None:
        stage = self.chalice.get_resource("WebsocketAPIStage")
        stage.add_property_override(
            "AccessLogSettings",
            {"DestinationArn": access_logs.log_group_arn, "Format": _ACCESS_LOG_FORMAT},
        )
        stage.add_property_override(
            "DefaultRouteSettings",
            {
                "ThrottlingRateLimit": 100,
                "ThrottlingBurstLimit": 200,
                "DetailedMetricsEnabled": True,
                "LoggingLevel": "ERROR",
                "DataTraceEnabled": False,
            },
        )

    def _web_acl(self, log_retention_days: int, logs_key: kms.IKey) -> wafv2.CfnWebACL:
        def managed(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=_visibility(name),
            )

        paths = [
            wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                    positional_constraint="STARTS_WITH",
                    search_string=path,
                    text_transformations=[
                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                    ],
                )
            )
            for path in RATE_LIMITED_PATHS
        ]
        rate_rule = wafv2.CfnWebACL.RuleProperty(
            name="SignInAndLinkRate",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=RATE_LIMIT_PER_5_MINUTES,
                    aggregate_key_type="FORWARDED_IP",
                    forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                        header_name="X-Forwarded-For", fallback_behavior="MATCH"
                    ),
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=paths)
                    ),
                )
            ),
            visibility_config=_visibility("SignInAndLinkRate"),
        )
        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("VestibuleApi"),
            rules=[
                rate_rule,
                managed("AWSManagedRulesCommonRuleSet", 1),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
                managed("AWSManagedRulesAmazonIpReputationList", 3),
            ],
        )
        association = wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            web_acl_arn=acl.attr_arn,
            resource_arn=(
                f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}::/restapis/"
                f"{self.rest_api_id}/stages/" + cdk.Fn.ref("RestAPI.Stage")
                # SAM's reference to the stage it generates: the association waits for it.
            ),
        )
        cdk.Validations.of(association).acknowledge(
            cdk.Acknowledgment(
                id="CloudFormation-Validate::F1020",
                reason="RestAPI.Stage is SAM's name for the stage it generates, resolved "
                "by the transform.",
            )
        )
        # WAF only writes to log groups whose name starts with aws-waf-logs-.
        waf_logs = log_group(
            self,
            "WafLogs",
            days=log_retention_days,
            key=logs_key,
            name=f"aws-waf-logs-{cdk.Aws.STACK_NAME}",
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=acl.attr_arn,
            log_destination_configs=[waf_logs.log_group_arn],
        )
        return acl


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )
