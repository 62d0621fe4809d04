"""The dependency rule of `chalicelib`, read from the sources' imports (an AST walk).

routes -> domain -> store and adapters, never the other way:
- nothing outside `chalicelib.routes` imports a route module (`app.py` registers them);
- a route module never imports boto3, botocore or pynamodb: it translates requests and
  answers, and the domain does the I/O;
- boto3 and botocore are imported only by the adapters (the message senders, the
  Management API client) and by `wiring`, the one factory of real collaborators;
- no two units of `chalicelib` (its packages, and its top-level modules) import each other,
  directly or through others: a circle means two folders are really one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"
AWS_SDK = {"boto3", "botocore"}
STORAGE_SDK = {"pynamodb"}
#: The only modules that may talk to the AWS SDK directly.
ADAPTERS = {
    "chalicelib.messaging.provider_errors",
    "chalicelib.messaging.sms",
    "chalicelib.messaging.email",
    "chalicelib.messaging.whatsapp",
    "chalicelib.realtime.management_api",
    "chalicelib.wiring",
}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str) -> Iterator[str]:
    """Every module a source imports, with `from x import y` also yielding `x.y`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_by_module(package: Path = PACKAGE) -> dict[str, set[str]]:
    return {
        module_name(path, package.parent): set(imported_names(path.read_text()))
        for path in sorted(package.rglob("*.py"))
    }


def unit_of(module: str) -> str | None:
    """`chalicelib.auth.tickets` -> `auth`; `chalicelib.errors` -> `errors`; else None."""
    parts = module.split(".")
    if parts[0] != "chalicelib" or len(parts) < 2:
        return None
    return parts[1]


def unit_graph(imports: dict[str, set[str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, names in imports.items():
        source = unit_of(module)
        if source is None:
            continue
        targets = {unit_of(name) for name in names} - {None, source}
        graph.setdefault(source, set()).update(t for t in targets if t is not None)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_only_routes_import_routes() -> None:
    offenders = {
        module: sorted(n for n in names if n.startswith("chalicelib.routes"))
        for module, names in imports_by_module().items()
        if not module.startswith("chalicelib.routes")
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_route_modules_never_touch_the_aws_sdk_or_pynamodb() -> None:
    offenders = {
        module: sorted(top_level(names) & (AWS_SDK | STORAGE_SDK))
        for module, names in imports_by_module().items()
        if module.startswith("chalicelib.routes")
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_only_adapters_and_wiring_import_boto3() -> None:
    users = {module for module, names in imports_by_module().items() if top_level(names) & AWS_SDK}
    assert users <= ADAPTERS, sorted(users - ADAPTERS)


def test_no_two_units_import_each_other() -> None:
    assert circles(unit_graph(imports_by_module())) == []


def test_the_checks_see_a_circle_a_route_import_and_a_stray_boto3(tmp_path: Path) -> None:
    """The rule's own machinery, on a small tree that breaks each rule once."""
    package = tmp_path / "chalicelib"
    for folder in ("a", "b", "routes"):
        (package / folder).mkdir(parents=True)
    (package / "a" / "one.py").write_text("from chalicelib.b import two\nimport boto3\n")
    (package / "b" / "two.py").write_text("from chalicelib.a.one import thing\n")
    (package / "routes" / "page.py").write_text("from pynamodb.models import Model\n")
    (package / "c.py").write_text("from chalicelib.routes import page\n")
    imports = imports_by_module(package)
    assert circles(unit_graph(imports)) == [["a", "b"]]
    assert "chalicelib.routes.page" in imports["chalicelib.c"]
    assert "boto3" in top_level(imports["chalicelib.a.one"])
    assert "pynamodb" in top_level(imports["chalicelib.routes.page"])
