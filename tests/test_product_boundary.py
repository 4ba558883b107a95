"""The product never imports what the production image leaves out (.dockerignore): the local
fakes in devtools/, the tests and the benchmarks. It would fail to start without them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("saas_platform", "shared_apps", "tenant_apps", "billing")
LEFT_OUT = ("devtools", "tests", "bench")


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def offending_imports(root: Path) -> list[str]:
    found = []
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*.py")):
            for name in imported_modules(path):
                if name.split(".")[0] in LEFT_OUT:
                    found.append(f"{path.relative_to(root)}: {name}")
    return found


def test_no_product_module_imports_devtools_tests_or_bench() -> None:
    assert offending_imports(ROOT) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "tenant_apps" / "payments" / "seeding.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from devtools.payments_sandbox import SANDBOX_CREDENTIALS\n")

    assert offending_imports(tmp_path) == [
        "tenant_apps/payments/seeding.py: devtools.payments_sandbox"
    ]
