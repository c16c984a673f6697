"""The house's size rules, checked on the code as it is: no module of the app over 400
lines, no view (a function routed by a blueprint) over 30 lines. A view parses the
request and renders; what is longer belongs in a service or a helper (docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "surveyapp"
MAX_MODULE_LINES = 400
MAX_VIEW_LINES = 30
ROUTES = {"route", "get", "post", "put", "patch", "delete"}


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def _is_view(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTES
        for d in node.decorator_list
    )


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(APP)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_no_view_is_over_30_lines() -> None:
    views = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and _is_view(node):
                assert node.end_lineno is not None
                views[f"{path.relative_to(APP)}:{node.name}"] = node.end_lineno - node.lineno + 1
    assert len(views) > 80, "the walk finds the blueprints' views"
    long = {name: lines for name, lines in views.items() if lines > MAX_VIEW_LINES}
    assert not long, long
