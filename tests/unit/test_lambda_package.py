"""The Lambda package holds exactly what the app imports: small, and never media libraries."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Modules the package gets without listing them: Chalice's packager adds its runtime,
#: and botocore comes with boto3.
PROVIDED = {"chalice", "botocore"}
#: Distributions whose import name differs from their name.
IMPORT_NAMES = {"phonenumberslite": "phonenumbers"}


def requirement_names() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[\[=<>~ ]", line, maxsplit=1)[0].lower())
    return names


def imported_top_level_modules() -> set[str]:
    modules = set()
    for path in [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"__future__", "chalicelib", "app"}


def test_media_libraries_never_enter_the_lambda_package() -> None:
    assert not requirement_names() & {"aiortc", "av"}


def import_names() -> set[str]:
    return {IMPORT_NAMES.get(name, name.replace("-", "_")) for name in requirement_names()}


def test_every_third_party_import_is_a_listed_requirement() -> None:
    importable = import_names() | PROVIDED
    assert imported_top_level_modules() <= importable


def test_every_requirement_is_pinned_and_used() -> None:
    lines = [
        line.split("#", 1)[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    assert all("==" in line for line in lines if line)
    assert import_names() <= imported_top_level_modules()
