"""The DynamoDB tables, declared from the PynamoDB models: `table_definitions()` is the source.

Keys, indexes and TTL attributes come from `chalicelib.store.tables`; nothing here restates
a table. Every table is on demand, with point-in-time recovery and a customer-managed KMS key
(rotated yearly); prod adds deletion protection and keeps the tables on `cdk destroy`.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from cdk_nag import NagSuppressions
from constructs import Construct

from chalicelib.store.tables import KeySchema, table_definitions
from infra.components.data_keys import data_key, removal_policy

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


class Database(Construct):
    """One table per model, named `<prefix><base name>`, all under one KMS key."""

    def __init__(self, scope: Construct, id: str, *, prefix: str, protect_data: bool) -> None:
        super().__init__(scope, id)
        removal = removal_policy(protect_data)
        self.key = data_key(self, description="Vestibule tables", protect_data=protect_data)
        self.tables: dict[str, dynamodb.Table] = {}
        for definition in table_definitions():
            table = dynamodb.Table(
                self,
                definition.base_name,
                table_name=f"{prefix}{definition.base_name}",
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=self.key,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                deletion_protection=protect_data,
                removal_policy=removal,
                time_to_live_attribute=definition.ttl_attribute,
                partition_key=_attribute(definition.keys.partition_key),
                sort_key=_sort_key(definition.keys),
            )
            for index in definition.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attribute(index.keys.partition_key),
                    sort_key=_sort_key(index.keys),
                    projection_type=_PROJECTIONS[index.projection],
                    non_key_attributes=list(index.non_key_attributes) or None,
                )
            NagSuppressions.add_resource_suppressions(
                table,
                [
                    {
                        "id": "HIPAA.Security-DynamoDBInBackupPlan",
                        "reason": "Point-in-time recovery (35 days) is the backup; an AWS "
                        "Backup plan would keep personal data past the retention period.",
                    }
                ],
            )
            self.tables[definition.base_name] = table

    @property
    def all_tables(self) -> list[dynamodb.Table]:
        return list(self.tables.values())


def _attribute(name_and_type: tuple[str, str]) -> dynamodb.Attribute:
    name, kind = name_and_type
    return dynamodb.Attribute(name=name, type=_TYPES[kind])


def _sort_key(keys: KeySchema) -> dynamodb.Attribute | None:
    return _attribute(keys.sort_key) if keys.sort_key is not None else None
