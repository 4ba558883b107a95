"""Layering rules that a grep can check: domain code never imports the API layer, and only the
tenancy API reads which business a connection serves (docs/tenancy.md, docs/api.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("saas_platform", "shared_apps", "tenant_apps", "billing")
TENANCY_API = Path("saas_platform/tenancy.py")


def _modules(root: Path) -> list[tuple[Path, ast.Module]]:
    found = []
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found.append((path.relative_to(root), ast.parse(path.read_text(), filename=str(path))))
    return found


def _in_api_layer(path: Path) -> bool:
    # An api/ package, an api.py module (an app with one API module: the console), a URLconf.
    return "api" in path.parts[:-1] or path.stem == "api" or path.name.startswith("urls")


def api_imports_outside_the_api_layer(root: Path) -> list[str]:
    found = []
    for path, tree in _modules(root):
        if _in_api_layer(path):
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            found += [
                f"{path}: {name}"
                for name in names
                if name == "saas_platform.api" or name.startswith("saas_platform.api.")
            ][:1]
    return found


def _reads_connection_tenant(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in ("tenant", "schema_name"):
        return isinstance(node.value, ast.Name) and node.value.id == "connection"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        args = node.args
        return (
            len(args) >= 2
            and isinstance(args[0], ast.Name)
            and args[0].id == "connection"
            and isinstance(args[1], ast.Constant)
            and args[1].value in ("tenant", "schema_name")
        )
    return False


def tenant_reads_outside_the_tenancy_api(root: Path) -> list[str]:
    return [
        f"{path}:{getattr(node, 'lineno', 0)}"
        for path, tree in _modules(root)
        if path != TENANCY_API
        for node in ast.walk(tree)
        if _reads_connection_tenant(node)
    ]


def test_no_domain_module_imports_the_api_layer() -> None:
    assert api_imports_outside_the_api_layer(ROOT) == []


def test_only_the_tenancy_api_asks_the_connection_for_its_business() -> None:
    assert tenant_reads_outside_the_tenancy_api(ROOT) == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    domain = tmp_path / "tenant_apps" / "shop" / "statements.py"
    domain.parent.mkdir(parents=True)
    domain.write_text(
        "from django.db import connection\n"
        "def f():\n"
        "    from saas_platform.api.fields import format_amount\n"
        "    zone = getattr(connection, 'tenant', None)\n"
        "    return connection.schema_name\n"
    )
    allowed = tmp_path / "tenant_apps" / "shop" / "api" / "views.py"
    allowed.parent.mkdir()
    allowed.write_text("from saas_platform.api.fields import MoneyField\n")

    assert api_imports_outside_the_api_layer(tmp_path) == [
        "tenant_apps/shop/statements.py: saas_platform.api.fields"
    ]
    assert tenant_reads_outside_the_tenancy_api(tmp_path) == [
        "tenant_apps/shop/statements.py:4",
        "tenant_apps/shop/statements.py:5",
    ]
