"""A fixture for the tests that touch the registry table: import it, then `usefixtures`."""

from __future__ import annotations

import pytest

from chalicelib.config import Settings
from media_worker.registration import bind_table


@pytest.fixture
def bound(tables: None, settings: Settings) -> None:
    """The registry table in moto, bound by the worker itself the way the app names it."""
    bind_table(table_prefix=settings.table_prefix, region=settings.region)
