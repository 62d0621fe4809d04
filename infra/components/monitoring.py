"""Alarms and one dashboard: what an operator must hear about, sent to one SNS topic.

API 5xx and latency (REST), integration errors (WebSocket), errors and throttles of every
function, DynamoDB throttles on every table, SES bounce and complaint rates, SMS spend
against the monthly limit, and the media workers' running count, CPU, load, failed registry
heartbeats, calls cut by a drain deadline and logged errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

FIVE_MINUTES = cdk.Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        prefix: str,
        rest_api_name: str,
        api_stage: str,
        websocket_api_id: str,
        function_names: dict[str, str],
        tables: list[dynamodb.Table],
        worker_service: ecs.FargateService,
        worker_metrics: Mapping[str, cloudwatch.IMetric],
        worker_load: cloudwatch.IMetric,
        worker_load_alarm: float,
        min_workers: int,
        sms_monthly_spend_limit_usd: int,
        alarm_email: str | None,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(
            self, "Alarms", master_key=key, enforce_ssl=True, display_name="Vestibule alarms"
        )
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        rest = {"ApiName": rest_api_name, "Stage": api_stage}
        self._alarm(
            "Api5xx",
            _metric("AWS/ApiGateway", "5XXError", rest, "Sum"),
            threshold=5,
            description="REST API answered 5xx more than 5 times in 5 minutes",
        )
        self._alarm(
            "ApiLatency",
            _metric("AWS/ApiGateway", "Latency", rest, "p99"),
            threshold=3000,
            description="REST API p99 latency above 3 s",
        )
        self._alarm(
            "WebsocketErrors",
            _metric("AWS/ApiGateway", "IntegrationError", {"ApiId": websocket_api_id}, "Sum"),
            threshold=5,
            description="WebSocket API integration errors",
        )
        for name, function_name in function_names.items():
            dimensions = {"FunctionName": function_name}
            self._alarm(
                f"{name}Errors",
                _metric("AWS/Lambda", "Errors", dimensions, "Sum"),
                threshold=1,
                description=f"{name} raised errors",
            )
            self._alarm(
                f"{name}Throttles",
                _metric("AWS/Lambda", "Throttles", dimensions, "Sum"),
                threshold=1,
                description=f"{name} was throttled",
            )
        for table in tables:
            throttles = cloudwatch.MathExpression(
                expression="reads + writes",
                using_metrics={
                    "reads": table.metric("ReadThrottleEvents", statistic="Sum"),
                    "writes": table.metric("WriteThrottleEvents", statistic="Sum"),
                },
                period=FIVE_MINUTES,
            )
            base = table.node.id
            self._alarm(
                f"{base}Throttles",
                throttles,
                threshold=1,
                description=f"DynamoDB throttled {prefix}{base}",
            )
        self._alarm(
            "SesBounceRate",
            _metric("AWS/SES", "Reputation.BounceRate", {}, "Maximum"),
            threshold=0.05,
            description="SES bounce rate above 5 % (SES reviews at 5 %)",
        )
        self._alarm(
            "SesComplaintRate",
            _metric("AWS/SES", "Reputation.ComplaintRate", {}, "Maximum"),
            threshold=0.001,
            description="SES complaint rate above 0.1 %",
        )
        self._alarm(
            "SmsSpend",
            _metric("AWS/SNS", "SMSMonthToDateSpentUSD", {}, "Maximum"),
            threshold=0.8 * sms_monthly_spend_limit_usd,
            description="SMS spend reached 80 % of the monthly limit",
        )
        service = {
            "ClusterName": worker_service.cluster.cluster_name,
            "ServiceName": worker_service.service_name,
        }
        self._alarm(
            "WorkersRunning",
            _metric("ECS/ContainerInsights", "RunningTaskCount", service, "Minimum"),
            threshold=min_workers,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            missing=cloudwatch.TreatMissingData.BREACHING,
            description="Fewer media workers running than the minimum",
        )
        self._alarm(
            "WorkersCpu",
            worker_service.metric_cpu_utilization(period=FIVE_MINUTES),
            threshold=85,
            description="Media workers above 85 % CPU (autoscaling at its limit?)",
        )
        self._alarm(
            "WorkersLoad",
            worker_load,
            threshold=worker_load_alarm,
            description="Media workers' average load near their capacity: new rooms may wait",
        )
        for name, metric in worker_metrics.items():
            self._alarm(
                f"Workers{name}",
                metric,
                threshold=1,
                description=f"Media workers logged {name} (see their log group)",
            )
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{prefix}overview"[:255]
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(alarms=self.alarms, width=24, title="Alarms")
        )
        self.dashboard.add_widgets(
            *[
                cloudwatch.GraphWidget(title=alarm.node.id, left=[alarm.metric], width=6)
                for alarm in self.alarms
                if alarm.node.id in ("Api5xx", "ApiLatency", "WorkersCpu", "WorkersLoad")
            ]
        )

    def _alarm(
        self,
        id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = (
            cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        ),
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=missing,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)


def _metric(
    namespace: str, name: str, dimensions: dict[str, str], statistic: str
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        dimensions_map=dimensions,
        statistic=statistic,
        period=FIVE_MINUTES,
    )
