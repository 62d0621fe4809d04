"""The worker's image holds what the worker imports: its requirements and four app modules.

Docker is not available where the suite runs, so these read the sources and the Dockerfile
instead of building the image.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "media_worker"
#: The app modules the image copies (with the `__init__.py` of each package on the way).
SHARED = {
    "chalicelib.media.control_signing",
    "chalicelib.env_reader",
    "chalicelib.safe_json",
    "chalicelib.store.enums",
    "chalicelib.store.models",
}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def worker_imports() -> set[str]:
    return {name for path in WORKER.rglob("*.py") for name in imports(path)}


def requirement_names() -> set[str]:
    lines = (WORKER / "requirements.txt").read_text().splitlines()
    pinned = [line.split("#", 1)[0].strip() for line in lines]
    assert all("==" in line for line in pinned if line), "pin every requirement exactly"
    return {re.split(r"[\[=<>~ ]", line, maxsplit=1)[0].lower() for line in pinned if line}


def test_the_worker_uses_only_the_shared_app_modules_the_image_copies() -> None:
    used = {name for name in worker_imports() if name.split(".")[0] == "chalicelib"}
    assert used <= SHARED

    copied: set[str] = set()
    for line in re.findall(r"^COPY (chalicelib/.+)$", (WORKER / "Dockerfile").read_text(), re.M):
        *sources, destination = line.split()
        assert all(Path(source).parent == Path(destination) for source in sources), line
        copied.update(sources)
    packages = {
        str(parent / "__init__.py")
        for module in SHARED
        for parent in Path(module.replace(".", "/")).parents
        if str(parent) != "."
    }
    assert copied == packages | {f"{m.replace('.', '/')}.py" for m in SHARED}


def test_the_shared_app_modules_need_nothing_but_the_standard_library_pynamodb_and_each_other() -> (
    None
):
    for module in SHARED:
        names = imports(ROOT / f"{module.replace('.', '/')}.py")
        assert {name for name in names if name.startswith("chalicelib")} <= SHARED, module
        top_level = {name.split(".")[0] for name in names}
        outside = top_level - set(sys.stdlib_module_names) - {"__future__", "chalicelib"}
        assert outside <= {"pynamodb"}, module


def test_every_third_party_import_of_the_worker_is_a_pinned_requirement() -> None:
    top_level = {name.split(".")[0] for name in worker_imports()}
    third_party = (
        top_level - set(sys.stdlib_module_names) - {"__future__", "media_worker", "chalicelib"}
    )
    assert third_party <= requirement_names()
