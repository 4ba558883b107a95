"""No function of the sales app takes more than four positional parameters: past that, a call
is a row of values whose order nobody can check by eye (``_claim_sale_row`` took eight).
Keyword-only parameters (``*,``) or a request dataclass (``tenant_apps/sales/requests.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MOST = 4


def too_many_positional(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = [a.arg for a in node.args.posonlyargs + node.args.args]
            if names[:1] in (["self"], ["cls"]):
                names = names[1:]
            if len(names) > MOST:
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name}")
    return found


def test_sales_functions_take_at_most_four_positional_parameters() -> None:
    assert too_many_positional(ROOT / "tenant_apps" / "sales") == []


def test_the_check_counts_positional_parameters(tmp_path: Path) -> None:
    package = tmp_path / "sales"
    package.mkdir()
    (package / "services.py").write_text(
        "def five(a, b, c, d, e): ...\n"
        "def four_and_named(a, b, c, d, *, e): ...\n"
        "class Handler:\n"
        "    def method(self, a, b, c, d): ...\n"
    )

    assert too_many_positional(package) == ["sales/services.py:1 five"]
