"""One place per fact: every rule id is spelled once, as a constant in `doctract.rule_ids` (or
its profile's `rule_ids` module), and doctract's code uses the constants, never the literal."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import doctract.lint  # noqa: F401  (registers read-error, time-budget-exceeded, internal-error)
from conftest import ROOT
from doctract import profile as profiles
from doctract import rule_ids
from doctract.checks import RULES
from doctract.profiles import flow_service
from doctract.profiles.flow_service import rule_ids as flow_service_rule_ids

MODULES: tuple[ModuleType, ...] = (rule_ids, flow_service_rule_ids)
MODULE_FILES = {Path(m.__file__ or "").resolve() for m in MODULES}


def _constants() -> list[tuple[str, str, str]]:
    """(module, name, value) of every rule-id constant."""
    return [
        (module.__name__, name, value)
        for module in MODULES
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str)
    ]


def _registered() -> set[str]:
    """The ids doctract itself registers (its generic rules and its shipped profile's)."""
    profiles.load_all()
    return {r.id for r in RULES.values() if r.profile in (None, flow_service.NAME)}


def test_every_registered_rule_id_is_exactly_one_constant() -> None:
    values = [value for _, _, value in _constants()]
    assert {i: values.count(i) for i in _registered() if values.count(i) != 1} == {}


def test_every_constant_is_a_registered_rule_id_named_after_it() -> None:
    registered = _registered()
    assert [(m, n, v) for m, n, v in _constants() if v not in registered] == []
    assert [n for _, n, v in _constants() if n != v.upper().replace("-", "_")] == []


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
        and isinstance(node.body[0].value.value, str)
    }


def test_no_rule_id_literal_outside_the_rule_ids_modules() -> None:
    ids = _registered() | {value for _, _, value in _constants()}
    offenders = []
    for path in sorted((ROOT / "doctract").rglob("*.py")):
        if path.resolve() in MODULE_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in ids
            and id(node) not in docstrings
        ]
    assert offenders == []
