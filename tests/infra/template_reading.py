"""Small readers over a synthesized template: resources by type, statements, ingress rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Template = dict[str, Any]


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def one(template: Template, kind: str, prefix: str) -> dict[str, Any]:
    """The single resource of `kind` whose logical id starts with `prefix`."""
    found = [r for i, r in resources(template, kind).items() if i.startswith(prefix)]
    assert len(found) == 1, f"{len(found)} {kind} resources start with {prefix}"
    return found[0]["Properties"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement of the template's policies, roles' inline policies included."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = []
        if resource["Type"] == "AWS::IAM::Policy":
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents.extend(policy["PolicyDocument"] for policy in properties.get("Policies", []))
        for document in documents:
            for statement in as_list(document["Statement"]):
                yield logical_id, statement


def policy_statements(template: Template, prefix: str) -> list[dict[str, Any]]:
    return [s for logical_id, s in statements(template) if logical_id.startswith(prefix)]


def actions_of(statement: dict[str, Any]) -> list[str]:
    return [str(action) for action in as_list(statement.get("Action", []))]


def _references(value: Any) -> Iterator[str]:
    """Logical ids a property value refers to: Ref, Fn::GetAtt and Fn::Sub's ${...}."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                yield (inner[0] if isinstance(inner, list) else str(inner).split(".")[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                for name in re.findall(r"\$\{([^!][^}]*)\}", text):
                    yield name.split(".")[0]
                if isinstance(inner, list):
                    yield from _references(inner[1:])
            else:
                yield from _references(inner)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def dependencies(template: Template) -> dict[str, set[str]]:
    """Each resource's resources it waits for, as CloudFormation orders them."""
    found = template["Resources"]
    graph = {}
    for logical_id, resource in found.items():
        needed = set(_references(resource.get("Properties", {})))
        needed.update(as_list(resource.get("DependsOn", [])))
        graph[logical_id] = {name for name in needed if name in found}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One dependency cycle of `graph` (its ids in order), or None if there is none."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for needed in sorted(graph[node]):
            if state.get(needed) == "open":
                return [*path[path.index(needed) :], needed]
            if needed not in state and (found := visit(needed)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None
