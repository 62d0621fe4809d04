"""The table definitions the infrastructure reads agree with the tables the models create."""

from __future__ import annotations

import boto3

from chalicelib.store.models import TABLE_MODELS
from chalicelib.store.tables import KeySchema, TableDefinition, parse_key_schema, table_definitions


def test_definitions_cover_every_table_once() -> None:
    names = [definition.base_name for definition in table_definitions()]
    assert len(names) == len(TABLE_MODELS) == len(set(names))
    assert "consultations" in names and "connections" in names


def test_definitions_match_what_dynamodb_built_from_the_models(tables: None) -> None:
    dynamodb = boto3.client("dynamodb")
    for model, definition in zip(TABLE_MODELS, table_definitions(), strict=True):
        table = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"]
        types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
        assert definition.keys == parse_key_schema(table["KeySchema"], types)
        described_indexes = {
            index["IndexName"]: (
                parse_key_schema(index["KeySchema"], types),
                index["Projection"]["ProjectionType"],
            )
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        assert {
            index.name: (index.keys, index.projection) for index in definition.indexes
        } == described_indexes
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_consultations_table_is_one_partition_per_consultation() -> None:
    consultations: TableDefinition = next(
        d for d in table_definitions() if d.base_name == "consultations"
    )
    assert consultations.keys == KeySchema(partition_key=("pk", "S"), sort_key=("sk", "S"))
    assert {index.name for index in consultations.indexes} == {
        "by_clinic_day",
        "by_clinician_day",
        "by_due_work",
    }
    assert consultations.ttl_attribute == "expires_at"
