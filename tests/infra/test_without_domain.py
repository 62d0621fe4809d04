"""A stage without a domain: the site on CloudFront's own address, told to the app at run time.

With a domain the functions get `VESTIBULE_PUBLIC_BASE_URL`. Without one the address is the
distribution's `<id>.cloudfront.net`, which exists only once the distribution does; the
distribution depends on the APIs and the APIs on the functions, so the stack writes the
address into an SSM parameter and the functions get only its name and a grant built from it.
Both variants must synthesize into templates CloudFormation can order (no dependency cycle).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.components.api import FUNCTIONS
from tests.infra.conftest import TEST_CONTEXT, TEST_REGION, Synthesized
from tests.infra.template_reading import (
    actions_of,
    as_list,
    cycle,
    dependencies,
    one,
    resources,
    statements,
)

#: The first test waits for the session's synthesis.
pytestmark = pytest.mark.timeout(900)

PARAMETER = "/vestibule/dev/public-base-url"


def template_of(result: Synthesized) -> dict[str, Any]:
    return json.loads(result.template_file.read_text("utf-8"))


def logical_id(template: dict[str, Any], kind: str, prefix: str) -> str:
    (found,) = [i for i in resources(template, kind) if i.startswith(prefix)]
    return found


def distribution_address(template: dict[str, Any]) -> dict[str, Any]:
    """`https://` and the distribution's own domain name, as the template writes it."""
    distribution = logical_id(template, "AWS::CloudFront::Distribution", "WebDistribution")
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}


def variables(template: dict[str, Any], function: str) -> dict[str, Any]:
    return dict(template["Resources"][function]["Properties"]["Environment"]["Variables"])


def ssm_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (policy, statement)
        for policy, statement in statements(template)
        if any(action.startswith("ssm:") for action in actions_of(statement))
    ]


def test_the_cycle_finder_sees_a_cycle_through_a_sub_and_a_depends_on() -> None:
    template = {
        "Resources": {
            "Api": {"Type": "T", "Properties": {"Body": {"Fn::Sub": "${Handler.Arn}"}}},
            "Handler": {"Type": "T", "Properties": {}, "DependsOn": "Bucket"},
            "Bucket": {"Type": "T", "Properties": {"Origin": {"Fn::GetAtt": ["Api", "Url"]}}},
            "Alone": {"Type": "T", "Properties": {"Name": {"Ref": "AWS::Region"}}},
        }
    }
    assert cycle(dependencies(template)) == ["Api", "Handler", "Bucket", "Api"]
    del template["Resources"]["Handler"]["DependsOn"]
    assert cycle(dependencies(template)) is None


@pytest.mark.parametrize("stage", ["dev", "prod", "dev_without_domain"])
def test_every_variant_synthesizes_without_a_dependency_cycle(
    stage: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(stage)
    graph = dependencies(template_of(synthesized))
    # the links that would close the cycle: the REST API waits for its handler, the site for
    # the REST API
    assert "APIHandler" in graph["RestAPI"]
    distribution = logical_id(
        template_of(synthesized), "AWS::CloudFront::Distribution", "WebDistribution"
    )
    assert "RestAPI" in graph[distribution]
    assert cycle(graph) is None


def test_the_stack_stores_the_distributions_address_in_a_parameter(
    dev_without_domain: Synthesized,
) -> None:
    template = template_of(dev_without_domain)
    (parameter,) = resources(template, "AWS::SSM::Parameter").values()
    properties = parameter["Properties"]
    assert properties["Name"] == PARAMETER
    assert properties["Type"] == "String"
    assert properties["Value"] == distribution_address(template)


def test_every_function_gets_the_parameters_name_and_no_address(
    dev_without_domain: Synthesized,
) -> None:
    template = template_of(dev_without_domain)
    for function in FUNCTIONS:
        found = variables(template, function)
        assert found["VESTIBULE_PUBLIC_BASE_URL_PARAMETER"] == PARAMETER, function
        assert "VESTIBULE_PUBLIC_BASE_URL" not in found, function


def test_the_app_may_read_that_parameter_only(dev_without_domain: Synthesized) -> None:
    (policy, statement), *others = ssm_statements(template_of(dev_without_domain))
    assert others == []
    assert policy.startswith("ApiChaliceDefaultRolePolicy")
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "ssm:GetParameter"
    # built from the name: no reference to the parameter resource, no wildcard
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":ssm:{TEST_REGION}:",
                {"Ref": "AWS::AccountId"},
                f":parameter{PARAMETER}",
            ],
        ]
    }
    assert "*" not in json.dumps(statement)


def test_with_a_domain_the_functions_get_the_address_and_no_parameter(dev: Synthesized) -> None:
    template = template_of(dev)
    assert resources(template, "AWS::SSM::Parameter") == {}
    assert ssm_statements(template) == []
    for function in FUNCTIONS:
        found = variables(template, function)
        assert found["VESTIBULE_PUBLIC_BASE_URL"] == f"https://{TEST_CONTEXT['domain_name']}"
        assert "VESTIBULE_PUBLIC_BASE_URL_PARAMETER" not in found


def test_uploads_are_accepted_from_the_distributions_address_only(
    dev_without_domain: Synthesized,
) -> None:
    template = template_of(dev_without_domain)
    bucket = one(template, "AWS::S3::Bucket", "FilesAttachments")
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [distribution_address(template)]


def test_the_site_is_served_on_cloudfronts_name_with_the_same_headers_and_waf(
    dev: Synthesized, dev_without_domain: Synthesized
) -> None:
    with_domain, without = template_of(dev), template_of(dev_without_domain)
    config = one(without, "AWS::CloudFront::Distribution", "WebDistribution")["DistributionConfig"]
    assert "Aliases" not in config
    assert "ViewerCertificate" not in config  # CloudFront's own *.cloudfront.net certificate
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        if behavior.get("PathPattern") != "/ws":
            assert "ResponseHeadersPolicyId" in behavior
        assert behavior["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    for kind, prefix in [
        ("AWS::CloudFront::ResponseHeadersPolicy", "WebSecurityHeaders"),
        ("AWS::WAFv2::WebACL", "ApiWebAcl"),
        ("AWS::WAFv2::WebACLAssociation", "ApiWebAcl"),
    ]:
        assert one(without, kind, prefix) == one(with_domain, kind, prefix), kind


@pytest.mark.parametrize("stage", ["dev", "dev_without_domain"])
def test_the_attachments_bucket_is_named_not_referenced_by_what_the_functions_wait_for(
    stage: str, request: pytest.FixtureRequest
) -> None:
    template = template_of(request.getfixturevalue(stage))
    bucket_id = logical_id(template, "AWS::S3::Bucket", "FilesAttachments")
    bucket = template["Resources"][bucket_id]["Properties"]
    access_logs = logical_id(template, "AWS::S3::Bucket", "AccessLogs")
    assert bucket["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": access_logs},
        "LogFilePrefix": "attachments/",
    }
    policy = one(template, "AWS::S3::BucketPolicy", "AccessLogsPolicy")
    assert bucket_id not in json.dumps(policy)
    (delivery,) = [
        s
        for s in as_list(policy["PolicyDocument"]["Statement"])
        if "attachments/*" in json.dumps(s["Resource"])
    ]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    source = json.dumps(delivery["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":s3:::vestibule-dev-attachments-" in source
    for function in FUNCTIONS:
        assert (
            variables(template, function)["VESTIBULE_ATTACHMENTS_BUCKET"] == (bucket["BucketName"])
        )
