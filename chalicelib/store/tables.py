"""Binds the PynamoDB models to a stage's tables, creates them, and describes them.

`bind_models` gives every model its stage-prefixed table name and region; it runs once in
the app's wiring and in each test's setup. `create_tables` is how the local stack and the
tests create the tables. `database_reachable` is the health check's question.
`table_definitions` is what the infrastructure code reads to declare the same tables: keys,
indexes and TTL come from the models, never written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from chalicelib.config import Settings
from chalicelib.observability import logger
from chalicelib.store.models import TABLE_MODELS, ConsultationItem

_BASE_NAMES = {model: model.Meta.table_name for model in TABLE_MODELS}


def bind_models(settings: Settings, models: Iterable[type[Model]] = TABLE_MODELS) -> None:
    """Point every model (and its polymorphic subclasses) at this stage's tables."""
    for model in models:
        model.Meta.table_name = settings.table_name(_BASE_NAMES[model])
        for cls in _with_subclasses(model):
            cls.Meta.region = settings.region


def database_reachable() -> bool:
    """Can this deployment read its consultations table? Logs why not, without data."""
    try:
        return bool(ConsultationItem.exists())
    except PynamoDBException:
        logger.exception("health check could not reach DynamoDB")
        return False


def create_tables(models: Iterable[type[Model]] = TABLE_MODELS) -> list[str]:
    """Create each bound table that does not exist yet, enable its TTL; return the names."""
    created = []
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
        model.update_ttl(ignore_update_ttl_errors=False)
    return created


@dataclass(frozen=True)
class KeySchema:
    partition_key: tuple[str, str]  # (attribute name, DynamoDB type "S" | "N" | "B")
    sort_key: tuple[str, str] | None


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    keys: KeySchema
    projection: str  # "ALL" | "KEYS_ONLY" | "INCLUDE"
    non_key_attributes: tuple[str, ...]


@dataclass(frozen=True)
class TableDefinition:
    base_name: str
    keys: KeySchema
    indexes: tuple[IndexDefinition, ...]
    ttl_attribute: str | None


def table_definitions(models: Iterable[type[Model]] = TABLE_MODELS) -> list[TableDefinition]:
    """Each table as the models declare it, independent of stage and of any AWS call."""
    definitions = []
    for model in models:
        schema: dict[str, Any] = dict(model._get_schema())
        types = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
        ttl = model._ttl_attribute()  # type: ignore[no-untyped-call]
        definitions.append(
            TableDefinition(
                base_name=_BASE_NAMES[model],
                keys=parse_key_schema(schema["key_schema"], types),
                indexes=tuple(
                    IndexDefinition(
                        name=index["index_name"],
                        keys=parse_key_schema(index["key_schema"], types),
                        projection=index["projection"]["ProjectionType"],
                        non_key_attributes=tuple(index["projection"].get("NonKeyAttributes", ())),
                    )
                    for index in schema["global_secondary_indexes"]
                ),
                ttl_attribute=ttl.attr_name if ttl is not None else None,
            )
        )
    return definitions


def parse_key_schema(elements: list[dict[str, Any]], types: dict[str, str]) -> KeySchema:
    """A DynamoDB `KeySchema` list plus attribute types, as a `KeySchema`."""
    by_role = {element["KeyType"]: element["AttributeName"] for element in elements}
    sort_key = by_role.get("RANGE")
    return KeySchema(
        partition_key=(by_role["HASH"], types[by_role["HASH"]]),
        sort_key=(sort_key, types[sort_key]) if sort_key else None,
    )


def _with_subclasses(model: type[Model]) -> Iterator[type[Model]]:
    yield model
    for sub in model.__subclasses__():
        yield from _with_subclasses(sub)
