"""Mutation operators over a module's AST, and the mutants they make of one source.

Each operator looks at one node and offers zero or more changes to it. A mutant is the
source with exactly one change, identified by the node's position in `ast.walk` order (the
same on every parse of the same source), so each mutant is built from a fresh parse.
Docstrings, annotations and imports are never mutated.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Change = Callable[[ast.AST], ast.AST | None]

NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BOUNDARY: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}
SYMBOL = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


@dataclass(frozen=True)
class Mutant:
    line: int
    end_line: int
    description: str
    source: str


def _replace_compare(position: int, new_op: type[ast.cmpop]) -> Change:
    def change(node: ast.AST) -> ast.AST:
        assert isinstance(node, ast.Compare)
        node.ops[position] = new_op()
        return node

    return change


def compare_operators(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Negate a comparison; move its boundary (< and <=, > and >=)."""
    if not isinstance(node, ast.Compare):
        return
    for position, op in enumerate(node.ops):
        old = SYMBOL[type(op)]
        negated = NEGATED[type(op)]
        yield f"{old} -> {SYMBOL[negated]}", _replace_compare(position, negated)
        if type(op) in BOUNDARY:
            moved = BOUNDARY[type(op)]
            yield f"{old} -> {SYMBOL[moved]}", _replace_compare(position, moved)


def dropped_conditions(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Drop a `condition=` argument (a DynamoDB conditional write becomes unconditional)."""
    if not isinstance(node, ast.Call):
        return
    for position, keyword in enumerate(node.keywords):
        if keyword.arg == "condition":

            def change(node: ast.AST, position: int = position) -> ast.AST:
                assert isinstance(node, ast.Call)
                del node.keywords[position]
                return node

            yield "condition= dropped", change


def condition_parts(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Keep one side of `a & b` or `a | b` (DynamoDB conditions), or swap `&` and `|`."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.BitAnd | ast.BitOr):
        return
    symbol = "&" if isinstance(node.op, ast.BitAnd) else "|"
    yield f"{symbol}: left side only", lambda n: n.left if isinstance(n, ast.BinOp) else n
    yield f"{symbol}: right side only", lambda n: n.right if isinstance(n, ast.BinOp) else n

    def swap(n: ast.AST) -> ast.AST:
        assert isinstance(n, ast.BinOp)
        n.op = ast.BitOr() if isinstance(n.op, ast.BitAnd) else ast.BitAnd()
        return n

    yield f"{symbol} swapped", swap


def boolean_operators(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Swap `and` and `or`; drop a `not`."""
    if isinstance(node, ast.BoolOp):
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")

        def swap(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.BoolOp)
            n.op = ast.Or() if isinstance(n.op, ast.And) else ast.And()
            return n

        yield f"{old} -> {new}", swap
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not dropped", lambda n: n.operand if isinstance(n, ast.UnaryOp) else n


def returned_bools(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Flip a returned `True`/`False`, or negate a returned comparison."""
    if not isinstance(node, ast.Return) or node.value is None:
        return
    value = node.value
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):

        def flip(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)
            n.value = ast.Constant(not n.value.value)
            return n

        yield f"return {value.value} -> {not value.value}", flip
    elif isinstance(value, ast.Compare | ast.BoolOp | ast.UnaryOp) or _is_bool_call(value):

        def negate(n: ast.AST) -> ast.AST:
            assert isinstance(n, ast.Return) and n.value is not None
            n.value = ast.UnaryOp(op=ast.Not(), operand=n.value)
            return n

        yield "returned bool negated", negate


def _is_bool_call(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and (
        getattr(value.func, "attr", None) == "compare_digest"
        or getattr(value.func, "id", None) == "bool"
    )


def deleted_guards(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Delete a `raise`, or an `if` guard whose body ends in `raise` (the check vanishes)."""
    if isinstance(node, ast.Raise):
        yield "raise deleted", lambda n: ast.Pass()
    if isinstance(node, ast.If) and isinstance(node.body[-1], ast.Raise) and not node.orelse:
        yield "if-guard deleted", lambda n: ast.Pass()


def shifted_numbers(node: ast.AST) -> Iterator[tuple[str, Change]]:
    """Change an integer constant by one, up and down."""
    if not isinstance(node, ast.Constant) or type(node.value) is not int:
        return
    for delta in (1, -1):

        def shift(n: ast.AST, delta: int = delta) -> ast.AST:
            assert isinstance(n, ast.Constant)
            return ast.Constant(n.value + delta)

        yield f"{node.value} -> {node.value + delta}", shift


OPERATORS = (
    compare_operators,
    dropped_conditions,
    condition_parts,
    boolean_operators,
    returned_bools,
    deleted_guards,
    shifted_numbers,
)


def _untouchable(tree: ast.AST) -> set[int]:
    """Ids of nodes never mutated: docstrings, annotations, imports and their subtrees."""
    skipped: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            skipped.append(node)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skipped.append(body[0])
        if isinstance(node, ast.arg) and node.annotation is not None:
            skipped.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            skipped.append(node.returns)
        if isinstance(node, ast.AnnAssign):
            skipped.append(node.annotation)
    return {id(inner) for outer in skipped for inner in ast.walk(outer)}


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, change: Change) -> None:
        self._target = target
        self._change = change

    def visit(self, node: ast.AST) -> ast.AST | None:
        if node is self._target:
            return self._change(node)
        return super().visit(node)


def mutants_of(source: str) -> Iterator[Mutant]:
    """Every single-change mutant of `source` that still compiles."""
    tree = ast.parse(source)
    skipped = _untouchable(tree)
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skipped:
            continue
        for operator in OPERATORS:
            for description, change in operator(node):
                fresh = ast.parse(source)
                target = list(ast.walk(fresh))[index]
                mutated = ast.fix_missing_locations(_Replace(target, change).visit(fresh))
                text = ast.unparse(mutated)
                try:
                    compile(text, "<mutant>", "exec")
                except SyntaxError:
                    continue
                line = getattr(node, "lineno", 0)
                end_line = getattr(node, "end_lineno", None) or line
                yield Mutant(line, end_line, description, text)
