"""The web UI on S3 and CloudFront, with the APIs on the same origin, as the local stack has.

- `/*`: the files of `web/` from a private bucket (origin access control); a path ending in
  `/` serves that folder's `index.html`, as `devstack/web_files.py` does;
- `/api/*`: the REST API's stage, never cached, every viewer header but Host forwarded;
- `/ws`: the WebSocket API's stage (CloudFront carries websockets);
- on every answer: a strict Content-Security-Policy, HSTS, `Permissions-Policy` allowing the
  camera and microphone to our origin only, `Referrer-Policy: no-referrer`, nosniff and
  frame denial;
- the stage's domain with its ACM certificate (us-east-1) when the operator gives one; the
  operator points the domain's DNS at the distribution (`DistributionDomain` output).
  Without one, the site is served on the distribution's own `<id>.cloudfront.net` name
  (`host` below), with CloudFront's default certificate.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from cdk_nag import NagSuppressions
from constructs import Construct

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
#: Copied from node_modules by `make vendor` (not in git): the background blur's model.
VENDORED = WEB_ROOT / "vendor" / "selfie-segmentation" / "selfie_segmentation.js"

_INDEX_FUNCTION = """
function handler(event) {
  var request = event.request;
  if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
  return request;
}
"""
# The WebSocket API answers on its stage's root: /ws becomes / below the origin path.
_WEBSOCKET_FUNCTION = """
function handler(event) {
  var request = event.request;
  request.uri = '/';
  return request;
}
"""


def content_security_policy(attachments_origin: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            # WebAssembly from our own origin: the call's background blur (its model)
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {attachments_origin}",
            "media-src 'self' blob:",
            f"connect-src 'self' {attachments_origin}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        rest_api_domain: str,
        websocket_api_domain: str,
        api_stage: str,
        attachments_origin: str,
        domain_name: str | None,
        certificate_arn: str | None,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        if bool(domain_name) != bool(certificate_arn):
            raise ValueError("domain_name and certificate_arn go together")
        self.bucket = s3.Bucket(
            self,
            "Files",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web/",
            removal_policy=cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        NagSuppressions.add_resource_suppressions(
            self.bucket,
            [
                {
                    "id": "HIPAA.Security-S3BucketReplicationEnabled",
                    "reason": "The web UI's public static files are redeployed from the "
                    "repository; nothing here needs a second copy.",
                },
                {
                    "id": "HIPAA.Security-S3DefaultEncryptionKMS",
                    "reason": "Public static files (the web UI), no personal data; SSE-S3 "
                    "keeps CloudFront's origin access simple.",
                },
            ],
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(attachments_origin),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(self), microphone=(self), geolocation=()",
                        override=True,
                    )
                ]
            ),
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                rest_api_domain,
                origin_path=f"/{api_stage}",
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
        )
        websocket_behavior = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                websocket_api_domain,
                origin_path=f"/{api_stage}",
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            function_associations=[self._function("WebsocketPath", _WEBSOCKET_FUNCTION)],
        )
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
            if certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                function_associations=[self._function("FolderIndex", _INDEX_FUNCTION)],
            ),
            additional_behaviors={"/api/*": api_behavior, "/ws": websocket_behavior},
            domain_names=[domain_name] if domain_name else None,
            certificate=certificate,
            # Only a certificate of our own can set it; CloudFront's default one fixes it.
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        #: Where people open the site: the operator's domain, else CloudFront's own name
        #: (a token, known once the distribution exists).
        self.host = domain_name or self.distribution.distribution_domain_name
        cdk.CfnOutput(
            self,
            "DistributionDomain",
            value=self.distribution.distribution_domain_name,
            description=(
                "Point the stage's domain here (CNAME or alias record)"
                if domain_name
                else "The site's address (no domain_name given): https://<this>/"
            ),
        )
        _require_vendored_files()
        s3_deployment.BucketDeployment(
            self,
            "Upload",
            sources=[s3_deployment.Source.asset(str(WEB_ROOT))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                {
                    "id": "AwsSolutions-CFR1",
                    "reason": "Patients join from anywhere; no country is refused.",
                },
                *(
                    []
                    if certificate
                    else [
                        {
                            "id": "AwsSolutions-CFR4",
                            "reason": "No domain_name was given, so CloudFront serves its own "
                            "*.cloudfront.net certificate, whose security policy AWS fixes "
                            "(TLSv1 and up; browsers negotiate TLS 1.2 or 1.3). Giving "
                            "domain_name and certificate_arn sets TLSv1.2_2021.",
                        }
                    ]
                ),
                {
                    "id": "AwsSolutions-CFR2",
                    "reason": "The API behind /api/* has its regional WAF web ACL; the static "
                    "files need none, and a CloudFront ACL must live in us-east-1.",
                },
            ],
        )

    def _function(self, id: str, code: str) -> cloudfront.FunctionAssociation:
        function = cloudfront.Function(
            self,
            id,
            code=cloudfront.FunctionCode.from_inline(code),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        return cloudfront.FunctionAssociation(
            function=function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
        )


def _require_vendored_files() -> None:
    """The site needs the files `make vendor` copies from npm; without them the blur fails."""
    if not VENDORED.exists():
        raise FileNotFoundError(
            f"{VENDORED.relative_to(WEB_ROOT.parent)} is missing: run `make vendor` (or `make "
            "test`) before synthesizing, so the background blur's model is deployed"
        )
