"""Small readers over a synthesized template: resources by type, statements, ingress rules."""

from __future__ import annotations

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
