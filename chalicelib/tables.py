"""Binds the PynamoDB models to a stage's tables and creates them from the models.

`bind_models` gives every model its stage-prefixed table name and region; it runs once in
the app's wiring and in each test's setup. `create_tables` is how the local stack and the
tests create the tables: from the models, with their indexes and TTL, nothing written twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pynamodb.models import Model

from chalicelib.config import Settings
from chalicelib.models import TABLE_MODELS

_BASE_NAMES = {model: model.Meta.table_name for model in TABLE_MODELS}


def bind_models(settings: Settings, models: Iterable[type[Model]] = TABLE_MODELS) -> None:
    """Point every model (and its polymorphic subclasses) at this stage's tables."""
    for model in models:
        model.Meta.table_name = settings.table_name(_BASE_NAMES[model])
        for cls in _with_subclasses(model):
            cls.Meta.region = settings.region


def create_tables(models: Iterable[type[Model]] = TABLE_MODELS) -> list[str]:
    """Create each bound table that does not exist yet, enable its TTL; return the names."""
    created = []
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
            created.append(model.Meta.table_name)
        model.update_ttl(ignore_update_ttl_errors=False)
    return created


def _with_subclasses(model: type[Model]) -> Iterator[type[Model]]:
    yield model
    for sub in model.__subclasses__():
        yield from _with_subclasses(sub)
