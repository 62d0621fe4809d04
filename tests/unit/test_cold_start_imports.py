"""A cold start imports only what every invocation needs; tracing still loads in Lambda.

Each import is checked in a fresh interpreter (`sys.modules` after `import app`), so what
this test process has already imported does not hide anything. The timing itself is
`bench/cold_start.py`'s job: this pins the deterministic part of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.observability import tracing_enabled

ROOT = Path(__file__).resolve().parents[2]
#: Loaded on first use only: tracing outside Lambda, phone numbers, QR codes, the API document.
DEFERRED = ("aws_xray_sdk", "phonenumbers", "segno", "chalicelib.routes.openapi_document")
LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "vestibule-api"}


def modules_after_import_app(**environment: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "LAMBDA_"))}
    env.update(environment)
    completed = subprocess.run(
        [sys.executable, "-c", "import app, json, sys; print(json.dumps(sorted(sys.modules)))"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(completed.stdout))


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(module.startswith(f"{name}.") for module in modules)


def test_import_app_outside_lambda_leaves_the_deferred_modules_unloaded() -> None:
    modules = modules_after_import_app()
    assert "chalicelib.routes.openapi" in modules  # the app really was imported
    assert [name for name in DEFERRED if loaded(modules, name)] == []


def test_import_app_in_lambda_with_tracing_loads_the_xray_sdk() -> None:
    assert loaded(modules_after_import_app(**LAMBDA), "aws_xray_sdk")


def test_import_app_in_lambda_with_tracing_disabled_skips_the_xray_sdk() -> None:
    modules = modules_after_import_app(**LAMBDA, POWERTOOLS_TRACE_DISABLED="true")
    assert not loaded(modules, "aws_xray_sdk")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, False),
        (LAMBDA, True),
        ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
        ({**LAMBDA, "AWS_CHALICE_CLI_MODE": "true"}, False),
    ],
)
def test_tracing_is_enabled_only_in_a_real_lambda_not_switched_off(
    environment: dict[str, str], expected: bool
) -> None:
    assert tracing_enabled(environment) is expected
