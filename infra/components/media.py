"""The media workers on ECS Fargate, and TURN: the network, the tasks, their exact openings.

- a VPC: public subnets for the workers and coturn (public IPs, no load balancer in the
  media path), private subnets with NAT for the Lambdas, gateway endpoints for DynamoDB and
  S3, flow logs;
- the worker service, built from `media_worker/Dockerfile` with the repository root as its
  context (the Dockerfile's own ignore list keeps the context to what the image copies),
  started by `infra/media_start.py` so it learns its private and public addresses; its
  security group opens only the media UDP range to the internet and the control port only
  to the clients' security group (the Lambdas); `stopTimeout` above the drain deadline;
  scale-in protection while a worker holds calls (set by `infra/media_start.py` from the
  worker's registry load); a task role that may only write its
  registry entry and protect its own task; autoscaling on CPU and on the workers' load
  (participants per worker, printed by the supervisor as an embedded-format metric);
- TURN: coturn in its own task behind a network load balancer (UDP and TCP 3478, and TURN
  over TLS on 443 when the stage names a TURN domain and certificate), or a managed TURN
  service whose URLs the stage names, in which case no coturn runs.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagSuppressions
from constructs import Construct

import infra.media_start
from infra.components.log_groups import log_group

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_DOCKERFILE = "media_worker/Dockerfile"
#: The worker's ICE ports (`VESTIBULE_MEDIA_UDP_PORTS`), the only ones open to the internet.
MEDIA_UDP_PORTS = (40000, 40999)
CONTROL_PORT = 8080
#: The worker stops taking rooms on SIGTERM and waits this long for calls to end ...
DRAIN_SECONDS = 100
#: ... below the time ECS waits before SIGKILL (Fargate's maximum).
STOP_TIMEOUT_SECONDS = 120
TURN_PORT = 3478
TURN_TLS_PORT = 443
TURN_RELAY_PORTS = (49152, 49999)
COTURN_IMAGE = "coturn/coturn:4.6.3"
WORKER_CPU_TARGET_PERCENT = 60
#: Participants (and connection tests) per worker the service scales towards: 60 % of the
#: worker's default `VESTIBULE_MEDIA_CAPACITY` of 20.
WORKER_LOAD_TARGET = 12
#: Average load at which an alarm says workers are nearly full (90 % of 20).
WORKER_LOAD_ALARM = 18


def worker_build_exclusions() -> list[str]:
    """The Dockerfile's own ignore list, so the asset holds only what the image copies."""
    ignore_file = PROJECT_ROOT / f"{WORKER_DOCKERFILE}.dockerignore"
    lines = ignore_file.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class Media(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage_name: str,
        table_prefix: str,
        registry: dynamodb.ITable,
        media_secret: secretsmanager.ISecret,
        turn_secret: secretsmanager.ISecret,
        managed_turn_urls: tuple[str, ...],
        turn_domain_name: str | None,
        turn_certificate_arn: str | None,
        min_workers: int,
        max_workers: int,
        nat_gateways: int,
        log_retention_days: int,
        logs_key: kms.IKey,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        self._logs_key = logs_key
        self._log_days = log_retention_days
        self.vpc = self._network(nat_gateways)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=self.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        #: Whoever drives the workers' control API (the Lambdas) joins this group.
        self.client_security_group = ec2.SecurityGroup(
            self,
            "ControlClients",
            vpc=self.vpc,
            allow_all_outbound=True,
            description="Lambdas calling the media workers control API",
        )
        if managed_turn_urls:
            self.turn_urls = managed_turn_urls
            self.stun_urls: tuple[str, ...] = ()
            self.turn_service: ecs.FargateService | None = None
        else:
            self.turn_service = self._coturn(
                turn_secret, turn_domain_name, turn_certificate_arn, access_logs
            )
        self.worker_security_group = ec2.SecurityGroup(
            self,
            "WorkerSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=True,
            description="Media workers: the ICE UDP range from anywhere, control from the app",
        )
        low, high = MEDIA_UDP_PORTS
        self.worker_security_group.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.udp_range(low, high), "WebRTC media (ICE)"
        )
        self.worker_security_group.add_ingress_rule(
            self.client_security_group, ec2.Port.tcp(CONTROL_PORT), "Control API from the app"
        )
        NagSuppressions.add_resource_suppressions(
            self.worker_security_group,
            [
                {
                    "id": "AwsSolutions-EC23",
                    "reason": "Browsers anywhere send WebRTC media to the workers' UDP range; "
                    "that range and nothing else is open to the internet.",
                }
            ],
        )
        self.worker_service = self._workers(
            stage_name, table_prefix, registry, media_secret, min_workers, max_workers
        )

    # --- network ---------------------------------------------------------------------

    def _network(self, nat_gateways: int) -> ec2.Vpc:
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=nat_gateways,
            restrict_default_security_group=True,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24
                ),
            ],
            gateway_endpoints={
                "DynamoDb": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
            },
        )
        public = "The media workers and coturn need public addresses: browsers send WebRTC "
        "media straight to them (no load balancer in the media path)."
        for subnet in vpc.public_subnets:
            NagSuppressions.add_resource_suppressions(
                subnet,
                [
                    {"id": "HIPAA.Security-VPCSubnetAutoAssignPublicIpDisabled", "reason": public},
                    {"id": "HIPAA.Security-VPCNoUnrestrictedRouteToIGW", "reason": public},
                ],
                apply_to_children=True,
            )
        flow_logs = self._log_group("FlowLogs")
        vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        return vpc

    # --- the workers ------------------------------------------------------------------

    def _workers(
        self,
        stage_name: str,
        table_prefix: str,
        registry: dynamodb.ITable,
        media_secret: secretsmanager.ISecret,
        min_workers: int,
        max_workers: int,
    ) -> ecs.FargateService:
        task = ecs.FargateTaskDefinition(
            self,
            "WorkerTask",
            cpu=1024,
            memory_limit_mib=2048,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        worker_logs = self._log_group("WorkerLogs")
        self.worker_metrics = self._log_metrics(worker_logs, stage_name)
        low, high = MEDIA_UDP_PORTS
        environment = {
            "VESTIBULE_STAGE": stage_name,
            "AWS_REGION": cdk.Aws.REGION,
            "VESTIBULE_TABLE_PREFIX": table_prefix,
            "VESTIBULE_MEDIA_CONTROL_PORT": str(CONTROL_PORT),
            "VESTIBULE_MEDIA_UDP_PORTS": f"{low}-{high}",
            "VESTIBULE_MEDIA_DRAIN_SECONDS": str(DRAIN_SECONDS),
        }
        if self.stun_urls:
            environment["VESTIBULE_MEDIA_STUN_URL"] = self.stun_urls[0]
        task.add_container(
            "worker",
            image=ecs.ContainerImage.from_asset(
                str(PROJECT_ROOT),
                file=WORKER_DOCKERFILE,
                exclude=worker_build_exclusions(),
                ignore_mode=cdk.IgnoreMode.DOCKER,
            ),
            entry_point=["python", "-c", Path(infra.media_start.__file__).read_text("utf-8")],
            environment=environment,
            secrets={
                "VESTIBULE_MEDIA_SHARED_SECRET": ecs.Secret.from_secrets_manager(media_secret)
            },
            logging=ecs.LogDrivers.aws_logs(stream_prefix="worker", log_group=worker_logs),
            stop_timeout=cdk.Duration.seconds(STOP_TIMEOUT_SECONDS),
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python",
                    "-c",
                    "import urllib.request; urllib.request.urlopen("
                    f"'http://127.0.0.1:{CONTROL_PORT}/health', timeout=2)",
                ],
                interval=cdk.Duration.seconds(10),
                timeout=cdk.Duration.seconds(3),
                retries=3,
                start_period=cdk.Duration.seconds(20),
            ),
        )
        # The task role may write its own registry entry, nothing else.
        registry.grant(
            task.task_role,
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:DescribeTable",
        )
        if registry.encryption_key is not None:
            registry.encryption_key.grant_encrypt_decrypt(task.task_role)
        # ... and protect its own task from scale-in while it holds calls (media_start.py).
        task.task_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
                resources=[
                    cdk.Stack.of(self).format_arn(
                        service="ecs",
                        resource="task",
                        resource_name=f"{self.cluster.cluster_name}/*",
                    )
                ],
            )
        )
        service = ecs.FargateService(
            self,
            "Workers",
            cluster=self.cluster,
            task_definition=task,
            desired_count=min_workers,
            assign_public_ip=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_groups=[self.worker_security_group],
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
        )
        scaling = service.auto_scale_task_count(min_capacity=min_workers, max_capacity=max_workers)
        scaling.scale_on_cpu_utilization(
            "Cpu",
            target_utilization_percent=WORKER_CPU_TARGET_PERCENT,
            scale_in_cooldown=cdk.Duration.minutes(10),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
        # The load each worker's supervisor prints (infra/media_start.py), averaged.
        self.load_metric = cloudwatch.Metric(
            namespace=f"Vestibule/{stage_name}",
            metric_name=infra.media_start.LOAD_METRIC,
            dimensions_map=infra.media_start.LOAD_DIMENSION,
            statistic="Average",
            period=cdk.Duration.minutes(1),
        )
        scaling.scale_to_track_custom_metric(
            "Load",
            metric=self.load_metric,
            target_value=WORKER_LOAD_TARGET,
            scale_in_cooldown=cdk.Duration.minutes(10),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
        self._suppress_task_findings(task)
        return service

    def _log_metrics(
        self, worker_logs: logs.LogGroup, stage_name: str
    ) -> dict[str, cloudwatch.Metric]:
        """Counts of the worker's own JSON log lines that mean trouble (`json_logs.py`)."""
        patterns = {
            "HeartbeatFailures": '{ $.message = "heartbeat failed" }',
            "CallsCutByDrain": '{ $.message = "drain deadline passed" }',
            "Errors": '{ $.level = "ERROR" || $.level = "CRITICAL" }',
        }
        metrics = {}
        for name, pattern in patterns.items():
            metric_filter = logs.MetricFilter(
                self,
                f"Worker{name}",
                log_group=worker_logs,
                filter_pattern=logs.FilterPattern.literal(pattern),
                metric_namespace=f"Vestibule/{stage_name}",
                metric_name=f"MediaWorker{name}",
                metric_value="1",
                default_value=0,
            )
            metrics[name] = metric_filter.metric(statistic="Sum", period=cdk.Duration.minutes(5))
        return metrics

    # --- TURN -------------------------------------------------------------------------

    def _coturn(
        self,
        turn_secret: secretsmanager.ISecret,
        domain_name: str | None,
        certificate_arn: str | None,
        access_logs: s3.IBucket,
    ) -> ecs.FargateService:
        security_group = ec2.SecurityGroup(
            self,
            "TurnSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=True,
            description="coturn: TURN on 3478 (UDP, TCP) and its UDP relay range",
        )
        security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.udp(TURN_PORT), "TURN/UDP")
        security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(TURN_PORT), "TURN/TCP")
        low, high = TURN_RELAY_PORTS
        security_group.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.udp_range(low, high), "TURN relayed media"
        )
        NagSuppressions.add_resource_suppressions(
            security_group,
            [
                {
                    "id": "AwsSolutions-EC23",
                    "reason": "A TURN server is reached by browsers anywhere; only its "
                    "listening port and relay range are open.",
                }
            ],
        )
        task = ecs.FargateTaskDefinition(self, "TurnTask", cpu=512, memory_limit_mib=1024)
        coturn = task.add_container(
            "coturn",
            image=ecs.ContainerImage.from_registry(COTURN_IMAGE),
            # The image's entrypoint expands $VAR and $(detect-external-ip) in arguments.
            command=[
                "-n",
                "--log-file=stdout",
                "--no-cli",
                "--fingerprint",
                "--use-auth-secret",
                "--static-auth-secret=$VESTIBULE_TURN_SECRET",
                "--realm=vestibule",
                f"--listening-port={TURN_PORT}",
                f"--min-port={low}",
                f"--max-port={high}",
                "--external-ip=$(detect-external-ip)",
                "--no-tls",
                "--no-dtls",
                "--no-multicast-peers",
                "--denied-peer-ip=10.0.0.0-10.255.255.255",
                "--denied-peer-ip=172.16.0.0-172.31.255.255",
                "--denied-peer-ip=192.168.0.0-192.168.255.255",
                "--denied-peer-ip=169.254.0.0-169.254.255.255",
            ],
            secrets={"VESTIBULE_TURN_SECRET": ecs.Secret.from_secrets_manager(turn_secret)},
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="coturn", log_group=self._log_group("TurnLogs")
            ),
        )
        coturn.add_port_mappings(
            ecs.PortMapping(container_port=TURN_PORT, protocol=ecs.Protocol.UDP),
            ecs.PortMapping(container_port=TURN_PORT, protocol=ecs.Protocol.TCP),
        )
        service = ecs.FargateService(
            self,
            "TurnService",
            cluster=self.cluster,
            task_definition=task,
            desired_count=1,
            assign_public_ip=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            security_groups=[security_group],
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
        )
        self._suppress_task_findings(task)
        balancer = elbv2.NetworkLoadBalancer(
            self,
            "TurnBalancer",
            vpc=self.vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            cross_zone_enabled=True,
        )
        balancer.log_access_logs(access_logs, prefix="turn-nlb")

        plain = balancer.add_listener("Turn", port=TURN_PORT, protocol=elbv2.Protocol.TCP_UDP)
        plain.add_targets(
            "Coturn",
            port=TURN_PORT,
            protocol=elbv2.Protocol.TCP_UDP,
            targets=[
                service.load_balancer_target(
                    container_name="coturn", container_port=TURN_PORT, protocol=ecs.Protocol.UDP
                )
            ],
        )
        host = domain_name or balancer.load_balancer_dns_name
        urls = [f"turn:{host}:{TURN_PORT}?transport=udp", f"turn:{host}:{TURN_PORT}?transport=tcp"]
        if domain_name and certificate_arn:
            tls = balancer.add_listener(
                "TurnTls",
                port=TURN_TLS_PORT,
                protocol=elbv2.Protocol.TLS,
                certificates=[
                    acm.Certificate.from_certificate_arn(self, "TurnCertificate", certificate_arn)
                ],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            )
            tls.add_targets(
                "CoturnTcp",
                port=TURN_PORT,
                protocol=elbv2.Protocol.TCP,
                targets=[
                    service.load_balancer_target(container_name="coturn", container_port=TURN_PORT)
                ],
            )
            urls.append(f"turns:{domain_name}:{TURN_TLS_PORT}?transport=tcp")
        NagSuppressions.add_resource_suppressions(
            balancer,
            [
                {
                    "id": "HIPAA.Security-ELBDeletionProtectionEnabled",
                    "reason": "The TURN balancer holds no data and cdk deploy recreates it.",
                },
                {
                    "id": "HIPAA.Security-ELBv2ACMCertificateRequired",
                    "reason": "TURN on 3478 carries media already encrypted end to end by "
                    "DTLS-SRTP; TURN over TLS on 443 has its ACM certificate.",
                },
            ],
            apply_to_children=True,
        )
        self.turn_urls = tuple(urls)
        self.stun_urls = (f"stun:{host}:{TURN_PORT}",)
        self.turn_balancer = balancer
        return service

    # --- shared -----------------------------------------------------------------------

    def _log_group(self, id: str) -> logs.LogGroup:
        return log_group(self, id, days=self._log_days, key=self._logs_key)

    def _suppress_task_findings(self, task: ecs.TaskDefinition) -> None:
        NagSuppressions.add_resource_suppressions(
            task,
            [
                {
                    "id": "AwsSolutions-ECS2",
                    "reason": "The environment holds settings only (stage, ports, prefix); "
                    "secrets come from Secrets Manager as ECS secrets.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "CDK's execution-role grants for pulling the image and writing "
                    "log streams into this task's own log group; the registry table's own "
                    "indexes; task protection names tasks of this cluster only (a task's id "
                    "is known only once it runs).",
                },
            ],
            apply_to_children=True,
        )
