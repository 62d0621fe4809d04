"""The security-relevant properties of the synthesized stage, asserted on its template."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.store.tables import table_definitions
from infra.components.api import FUNCTIONS, RATE_LIMITED_PATHS
from infra.components.media import (
    CONTROL_PORT,
    DRAIN_SECONDS,
    MEDIA_UDP_PORTS,
    WORKER_LOAD_TARGET,
)
from tests.infra.conftest import PROD_EXTRAS, TEST_CONTEXT, Synthesized
from tests.infra.template_reading import (
    actions_of,
    as_list,
    one,
    policy_statements,
    resources,
    statements,
)

#: The first test waits for the session's synthesis: about a minute on a clean machine
#: (chalice package downloads wheels), more on a loaded one.
pytestmark = pytest.mark.timeout(900)


def template_of(result: Synthesized) -> dict[str, Any]:
    return json.loads(result.template_file.read_text("utf-8"))


# --- database -----------------------------------------------------------------------------


def test_every_model_has_its_table_encrypted_with_our_key_and_recoverable(dev: Synthesized) -> None:
    template = template_of(dev)
    tables = {
        t["Properties"]["TableName"]: t["Properties"]
        for t in resources(template, "AWS::DynamoDB::Table").values()
    }
    definitions = {f"vestibule-dev-{d.base_name}": d for d in table_definitions()}
    assert set(tables) == set(definitions)
    for name, table in tables.items():
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["SSESpecification"]["SSEEnabled"] is True
        assert table["SSESpecification"]["SSEType"] == "KMS"
        assert "Fn::GetAtt" in table["SSESpecification"]["KMSMasterKeyId"]
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        ttl = definitions[name].ttl_attribute
        if ttl:
            assert table["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
        indexes = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        assert indexes == {index.name for index in definitions[name].indexes}


def test_prod_tables_are_protected_and_kept_dev_tables_are_not(
    dev: Synthesized, prod: Synthesized
) -> None:
    for table in resources(template_of(prod), "AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
    for table in resources(template_of(dev), "AWS::DynamoDB::Table").values():
        assert table["Properties"].get("DeletionProtectionEnabled") is False
        assert table["DeletionPolicy"] == "Delete"


def test_every_kms_key_rotates(dev: Synthesized) -> None:
    keys = resources(template_of(dev), "AWS::KMS::Key")
    assert keys
    assert all(key["Properties"]["EnableKeyRotation"] is True for key in keys.values())


# --- buckets ------------------------------------------------------------------------------


def test_every_bucket_blocks_public_access_and_refuses_plain_http(dev: Synthesized) -> None:
    template = template_of(dev)
    buckets = resources(template, "AWS::S3::Bucket")
    policies = resources(template, "AWS::S3::BucketPolicy")
    tls_only = set()
    for policy in policies.values():
        for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"]):
            condition = statement.get("Condition", {}).get("Bool", {})
            if statement["Effect"] == "Deny" and condition.get("aws:SecureTransport") == "false":
                tls_only.add(policy["Properties"]["Bucket"]["Ref"])
    for logical_id, bucket in buckets.items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert "BucketEncryption" in bucket["Properties"], logical_id
        assert logical_id in tls_only, f"{logical_id} accepts plain HTTP"


def test_attachments_are_kms_encrypted_expire_and_accept_uploads_from_our_origin_only(
    dev: Synthesized,
) -> None:
    bucket = one(template_of(dev), "AWS::S3::Bucket", "FilesAttachments")
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in encryption["ServerSideEncryptionByDefault"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 30
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [f"https://{TEST_CONTEXT['domain_name']}"]
    assert set(cors["AllowedMethods"]) == {"POST", "GET"}
    assert "LoggingConfiguration" in bucket


def test_guardduty_scans_the_attachments_bucket(dev: Synthesized) -> None:
    plan = one(template_of(dev), "AWS::GuardDuty::MalwareProtectionPlan", "Files")
    assert plan["ProtectedResource"]["S3Bucket"]["BucketName"] == {
        "Ref": next(
            i for i in resources(template_of(dev), "AWS::S3::Bucket") if i.startswith("Files")
        )
    }
    assert plan["Actions"]["Tagging"]["Status"] == "ENABLED"


# --- least privilege ----------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "dev_without_domain"])
def test_no_statement_allows_every_action_of_a_service(
    stage: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    for logical_id, statement in statements(template_of(synthesized)):
        for action in actions_of(statement):
            assert action != "*" and not action.endswith(":*"), (logical_id, action)


#: The only actions that may name every resource: none of them reads or writes data.
ACTIONS_WITHOUT_RESOURCES = {
    "sns:Publish",  # SMS to a phone number; topics are denied beside it
    "sns:SetSMSAttributes",  # account-wide SMS preferences, at deploy time
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "ecr:GetAuthorizationToken",
    "cloudfront:CreateInvalidation",  # CDK's upload of web/ (no data, deploy time only)
    "cloudfront:GetInvalidation",
}


@pytest.mark.parametrize("stage", ["dev", "dev_without_domain"])
def test_only_actions_without_resource_level_permissions_name_every_resource(
    stage: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    for logical_id, statement in statements(template_of(synthesized)):
        if statement["Effect"] == "Allow" and "*" in as_list(statement.get("Resource")):
            assert set(actions_of(statement)) <= ACTIONS_WITHOUT_RESOURCES, logical_id


def test_the_app_may_use_each_table_but_no_other_tables(dev: Synthesized) -> None:
    template = template_of(dev)
    tables = set(resources(template, "AWS::DynamoDB::Table"))
    granted = set()
    for statement in policy_statements(template, "ApiChaliceDefaultRolePolicy"):
        if "dynamodb:PutItem" in actions_of(statement):
            for resource in as_list(statement["Resource"]):
                if isinstance(resource, dict) and "Fn::GetAtt" in resource:
                    granted.add(resource["Fn::GetAtt"][0])
    assert granted == tables


def test_chalice_wildcards_are_narrowed_to_our_websocket_api_and_log_groups(
    dev: Synthesized,
) -> None:
    role = template_of(dev)["Resources"]["DefaultRole"]["Properties"]
    (policy,) = role["Policies"]
    rendered = json.dumps(policy)
    assert "arn:*:logs:*:*:*" not in rendered
    assert "arn:*:execute-api:*:*:*" not in rendered
    manage = next(
        s
        for s in policy["PolicyDocument"]["Statement"]
        if s["Action"] == "execute-api:ManageConnections"
    )
    assert {"Ref": "WebsocketAPI"} in manage["Resource"]["Fn::Join"][1]


def test_the_worker_task_may_only_write_its_registry_entry(dev: Synthesized) -> None:
    template = template_of(dev)
    registry = next(
        i
        for i, t in resources(template, "AWS::DynamoDB::Table").items()
        if t["Properties"]["TableName"] == "vestibule-dev-media_workers"
    )
    key = template["Resources"][registry]["Properties"]["SSESpecification"]["KMSMasterKeyId"]
    table_statement, key_statement, protection_statement = policy_statements(
        template, "MediaWorkerTaskTaskRoleDefaultPolicy"
    )
    assert set(actions_of(table_statement)) == {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:DescribeTable",
    }
    assert json.dumps(table_statement["Resource"]).count(registry) == len(
        as_list(table_statement["Resource"])
    )
    assert all(action.startswith("kms:") for action in actions_of(key_statement))
    assert key_statement["Resource"] == key
    # and protect its own task from scale-in while it holds calls (tasks of its cluster)
    assert set(actions_of(protection_statement)) == {
        "ecs:UpdateTaskProtection",
        "ecs:GetTaskProtection",
    }
    assert ":task/" in json.dumps(protection_statement["Resource"])


# --- network ------------------------------------------------------------------------------


def test_workers_open_only_the_media_range_to_the_internet_and_control_to_the_lambdas(
    dev: Synthesized,
) -> None:
    template = template_of(dev)
    group_id = next(i for i in resources(template, "AWS::EC2::SecurityGroup") if "Worker" in i)
    inline = template["Resources"][group_id]["Properties"]["SecurityGroupIngress"]
    low, high = MEDIA_UDP_PORTS
    assert inline == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "WebRTC media (ICE)",
            "FromPort": low,
            "IpProtocol": "udp",
            "ToPort": high,
        }
    ]
    extra = [
        r["Properties"]
        for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    assert len(extra) == 1
    (control,) = extra
    assert (control["IpProtocol"], control["FromPort"], control["ToPort"]) == (
        "tcp",
        CONTROL_PORT,
        CONTROL_PORT,
    )
    assert control["SourceSecurityGroupId"]["Fn::GetAtt"][0].startswith("MediaControlClients")


def test_every_function_runs_in_the_vpc_in_the_control_clients_group(dev: Synthesized) -> None:
    template = template_of(dev)
    for name in FUNCTIONS:
        config = template["Resources"][name]["Properties"]["VpcConfig"]
        (group,) = config["SecurityGroupIds"]
        assert group["Fn::GetAtt"][0].startswith("MediaControlClients")
        assert len(config["SubnetIds"]) == 2


def test_the_worker_stops_after_its_drain_deadline(dev: Synthesized) -> None:
    task = one(template_of(dev), "AWS::ECS::TaskDefinition", "MediaWorkerTask")
    (container,) = task["ContainerDefinitions"]
    assert container["StopTimeout"] > DRAIN_SECONDS
    environment = {e["Name"]: e["Value"] for e in container["Environment"]}
    assert environment["VESTIBULE_MEDIA_DRAIN_SECONDS"] == str(DRAIN_SECONDS)
    assert environment["VESTIBULE_MEDIA_UDP_PORTS"] == "{}-{}".format(*MEDIA_UDP_PORTS)
    assert container["EntryPoint"][:2] == ["python", "-c"]
    assert "ECS_CONTAINER_METADATA_URI_V4" in container["EntryPoint"][2]
    assert "task-protection/v1/state" in container["EntryPoint"][2]
    assert [s["Name"] for s in container["Secrets"]] == ["VESTIBULE_MEDIA_SHARED_SECRET"]


def test_turn_over_tls_on_443_when_the_stage_names_its_domain(
    dev: Synthesized, prod: Synthesized
) -> None:
    def listeners(result: Synthesized) -> dict[int, dict[str, Any]]:
        found = resources(template_of(result), "AWS::ElasticLoadBalancingV2::Listener")
        return {item["Properties"]["Port"]: item["Properties"] for item in found.values()}

    assert set(listeners(dev)) == {3478}
    tls = listeners(prod)[443]
    assert tls["Protocol"] == "TLS"
    assert tls["Certificates"] == [{"CertificateArn": PROD_EXTRAS["turn_certificate_arn"]}]
    variables = template_of(prod)["Resources"]["APIHandler"]["Properties"]["Environment"]
    turn = json.dumps(variables["Variables"]["VESTIBULE_TURN_URLS"])
    assert f"turns:{PROD_EXTRAS['turn_domain_name']}:443?transport=tcp" in turn


def test_whatsapp_is_granted_only_for_the_named_phone_number(
    dev: Synthesized, prod: Synthesized
) -> None:
    def whatsapp(result: Synthesized) -> list[dict[str, Any]]:
        return [
            s
            for s in policy_statements(template_of(result), "ApiChaliceDefaultRolePolicy")
            if "social-messaging:SendWhatsAppMessage" in actions_of(s)
        ]

    assert whatsapp(dev) == []
    (statement,) = whatsapp(prod)
    assert PROD_EXTRAS["whatsapp_phone_number_id"] in json.dumps(statement["Resource"])


def test_workers_scale_on_cpu_and_on_their_load(dev: Synthesized) -> None:
    policies = resources(template_of(dev), "AWS::ApplicationAutoScaling::ScalingPolicy")
    tracked = [
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"] for p in policies.values()
    ]
    predefined = {
        t["PredefinedMetricSpecification"]["PredefinedMetricType"]
        for t in tracked
        if "PredefinedMetricSpecification" in t
    }
    custom = [t for t in tracked if "CustomizedMetricSpecification" in t]
    assert predefined == {"ECSServiceAverageCPUUtilization"}
    (load,) = custom
    assert load["CustomizedMetricSpecification"]["MetricName"] == "MediaWorkerLoad"
    assert load["CustomizedMetricSpecification"]["Namespace"] == "Vestibule/dev"
    assert load["TargetValue"] == WORKER_LOAD_TARGET


# --- API ----------------------------------------------------------------------------------


def test_functions_know_the_websocket_api_and_read_secrets_by_name(dev: Synthesized) -> None:
    template = template_of(dev)
    for name in FUNCTIONS:
        variables = template["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert variables["VESTIBULE_WS_API_ID"] == {"Ref": "WebsocketAPI"}
        assert variables["VESTIBULE_WS_STAGE"] == "api"
        assert "VESTIBULE_MEDIA_SHARED_SECRET" not in variables
        assert variables["VESTIBULE_MEDIA_SHARED_SECRET_NAME"]["Ref"].startswith("Secrets")
        assert variables["VESTIBULE_TURN_SECRET_NAME"]["Ref"].startswith("Secrets")
        # The app splits lists on commas (EnvReader.words): one entry per TURN URL.
        turn = "".join(
            p for p in variables["VESTIBULE_TURN_URLS"]["Fn::Join"][1] if isinstance(p, str)
        )
        assert turn.count("turn:") == 2 and turn.count(",") == 1


def test_both_apis_are_throttled_and_logged(dev: Synthesized) -> None:
    template = template_of(dev)
    rest = template["Resources"]["RestAPI"]["Properties"]
    assert rest["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0].startswith("ApiAccessLogs")
    (settings,) = rest["MethodSettings"]
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
    stage = template["Resources"]["WebsocketAPIStage"]["Properties"]
    assert stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0].startswith("ApiAccessLogs")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0


def test_the_waf_has_managed_rules_and_limits_sign_in_and_link_routes(dev: Synthesized) -> None:
    template = template_of(dev)
    acl = one(template, "AWS::WAFv2::WebACL", "ApiWebAcl")
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in acl["Rules"]
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= managed
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}}
    scoped = rate["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["OrStatement"]
    paths = {s["ByteMatchStatement"]["SearchString"] for s in scoped["Statements"]}
    assert paths == set(RATE_LIMITED_PATHS)
    association = one(template, "AWS::WAFv2::WebACLAssociation", "ApiWebAcl")
    assert "RestAPI" in json.dumps(association["ResourceArn"])


def test_logs_are_kept_for_a_retention_period_under_our_key(dev: Synthesized) -> None:
    for logical_id, group in resources(template_of(dev), "AWS::Logs::LogGroup").items():
        assert group["Properties"].get("RetentionInDays"), logical_id
        assert "KmsKeyId" in group["Properties"], logical_id


# --- web ----------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(dev: Synthesized) -> None:
    template = template_of(dev)
    policy = one(template, "AWS::CloudFront::ResponseHeadersPolicy", "WebSecurityHeaders")
    config = policy["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    csp = json.dumps(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    # WebAssembly only (the background blur's model, from our own origin): not eval
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    (permissions,) = config["CustomHeadersConfig"]["Items"]
    assert permissions["Header"] == "Permissions-Policy"
    assert "camera=(self)" in permissions["Value"] and "microphone=(self)" in permissions["Value"]
    distribution = one(template, "AWS::CloudFront::Distribution", "WebDistribution")
    config = distribution["DistributionConfig"]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b.get("PathPattern") for b in behaviors} == {None, "/api/*", "/ws"}
    for behavior in behaviors:
        if behavior.get("PathPattern") != "/ws":
            assert "ResponseHeadersPolicyId" in behavior
        assert behavior["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert config["Aliases"] == [TEST_CONTEXT["domain_name"]]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"


# --- secrets ------------------------------------------------------------------------------


def test_secrets_are_generated_and_encrypted_with_our_key(dev: Synthesized) -> None:
    secrets = resources(template_of(dev), "AWS::SecretsManager::Secret")
    assert len(secrets) == 2
    for secret in secrets.values():
        assert "GenerateSecretString" in secret["Properties"]
        assert "SecretString" not in secret["Properties"]
        assert "KmsKeyId" in secret["Properties"]


# --- monitoring ---------------------------------------------------------------------------


def test_alarms_cover_what_an_operator_must_hear_about(dev: Synthesized) -> None:
    template = template_of(dev)
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    watched = set()
    for alarm in alarms:
        properties = alarm["Properties"]
        assert properties["AlarmActions"], "every alarm notifies the topic"
        if "MetricName" in properties:
            watched.add(properties["MetricName"])
        for query in properties.get("Metrics", []):
            if "MetricStat" in query:
                watched.add(query["MetricStat"]["Metric"]["MetricName"])
    assert {
        "5XXError",
        "Latency",
        "IntegrationError",
        "Errors",
        "Throttles",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "Reputation.BounceRate",
        "Reputation.ComplaintRate",
        "SMSMonthToDateSpentUSD",
        "RunningTaskCount",
        "CPUUtilization",
        "MediaWorkerHeartbeatFailures",
        "MediaWorkerCallsCutByDrain",
        "MediaWorkerLoad",
    } <= watched
    assert len(resources(template, "AWS::CloudWatch::Dashboard")) == 1
