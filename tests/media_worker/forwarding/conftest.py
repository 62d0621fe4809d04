"""Markers of the forwarding tests.

`slow`: connects real aiortc peers to the worker over UDP on this machine (a few seconds
each); deselect with `-m "not slow"`.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: connects aiortc peers to the media worker over local UDP (seconds)"
    )
