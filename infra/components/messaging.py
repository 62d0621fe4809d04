"""Email, SMS and WhatsApp: what the app needs from SES, SNS and End User Messaging Social.

- SES: the sender domain's identity with Easy DKIM (the operator publishes the three CNAME
  records the stack outputs), and a configuration set, the identity's default, that sends
  bounces and complaints to an SNS topic (a KMS-encrypted one) for the alarms.
- SNS SMS: the account's SMS preferences (transactional by default, a monthly spend limit)
  set through the SNS API at deploy time, since CloudFormation has no SMS settings.
- WhatsApp: only the phone number the operator linked in End User Messaging Social, when
  the stage names one.

`grant_send(role)` gives a role exactly the sending actions, on these resources.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import custom_resources as cr
from cdk_nag import NagSuppressions
from constructs import Construct


class Messaging(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        prefix: str,
        sender_domain: str,
        sms_monthly_spend_limit_usd: int,
        whatsapp_phone_number_id: str | None,
    ) -> None:
        super().__init__(scope, id)
        self.sender_email = f"no-reply@{sender_domain}"
        self.whatsapp_phone_number_id = whatsapp_phone_number_id
        self.key = kms.Key(
            self, "Key", description="Vestibule mail feedback", enable_key_rotation=True
        )
        # SES publishes to the topic under its own service principal; it must use the key.
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal("ses.amazonaws.com"))
        self.feedback = sns.Topic(
            self,
            "MailFeedback",
            master_key=self.key,
            enforce_ssl=True,
            display_name="Vestibule bounces and complaints",
        )
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"{prefix}mail",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.feedback),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        self.identity = ses.EmailIdentity(
            self,
            "SenderDomain",
            identity=ses.Identity.domain(sender_domain),
            configuration_set=self.configuration_set,
            dkim_signing=True,
            feedback_forwarding=False,
        )
        for index in (1, 2, 3):
            name = getattr(self.identity, f"dkim_dns_token_name{index}")
            value = getattr(self.identity, f"dkim_dns_token_value{index}")
            cdk.CfnOutput(
                self,
                f"DkimRecord{index}",
                value=cdk.Fn.join(" CNAME ", [name, value]),
                description="Publish this CNAME record in the sender domain's DNS",
            )
        self._sms_preferences(sms_monthly_spend_limit_usd)

    def _sms_preferences(self, monthly_limit_usd: int) -> None:
        attributes = {
            "MonthlySpendLimit": str(monthly_limit_usd),
            "DefaultSMSType": "Transactional",
        }
        call = cr.AwsSdkCall(
            service="SNS",
            action="setSMSAttributes",
            parameters={"attributes": attributes},
            physical_resource_id=cr.PhysicalResourceId.of("vestibule-sms-preferences"),
        )
        preferences = cr.AwsCustomResource(
            self,
            "SmsPreferences",
            on_create=call,
            on_update=call,
            install_latest_aws_sdk=False,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["sns:SetSMSAttributes"],
                        resources=["*"],  # account-wide settings have no resource ARN
                    )
                ]
            ),
        )
        NagSuppressions.add_resource_suppressions(
            preferences,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "sns:SetSMSAttributes sets account-wide SMS preferences and "
                    "has no resource-level permission.",
                    "applies_to": ["Resource::*"],
                }
            ],
            apply_to_children=True,
        )

    def grant_send(self, grantee: iam.IGrantable) -> None:
        stack = cdk.Stack.of(self)
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["ses:SendRawEmail", "ses:SendEmail"],
            resource_arns=[
                stack.format_arn(
                    service="ses",
                    resource="identity",
                    resource_name=self.identity.email_identity_name,
                ),
                stack.format_arn(
                    service="ses",
                    resource="configuration-set",
                    resource_name=self.configuration_set.configuration_set_name,
                ),
            ],
        )
        # Direct SMS to a phone number has no resource ARN to name; deny topics instead.
        iam.Grant.add_to_principal(grantee=grantee, actions=["sns:Publish"], resource_arns=["*"])
        principal = grantee.grant_principal
        principal.add_to_principal_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=["sns:Publish"],
                resources=[stack.format_arn(service="sns", resource="*")],
            )
        )
        if self.whatsapp_phone_number_id:
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=["social-messaging:SendWhatsAppMessage"],
                resource_arns=[
                    stack.format_arn(
                        service="social-messaging",
                        resource="phone-number-id",
                        resource_name=self.whatsapp_phone_number_id,
                    )
                ],
            )
