"""Views stay thin: no view module reaches a model manager (``Model.objects``). A view asks a
selector for what it shows and a service for what it changes (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("saas_platform", "shared_apps", "tenant_apps", "billing")


def _is_view_module(path: Path) -> bool:
    # An api/ package, an app's one api.py module (the console), a page view module.
    return "api" in path.parts[:-1] or path.name in ("api.py", "views.py")


def manager_uses_in_views(root: Path) -> list[str]:
    found = []
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*.py")):
            if not _is_view_module(path.relative_to(root)):
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            found += [
                f"{path.relative_to(root)}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "objects"
            ]
    return found


def test_no_view_queries_a_model_manager() -> None:
    assert manager_uses_in_views(ROOT) == []
