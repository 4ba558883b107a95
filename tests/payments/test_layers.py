"""The payments app's own layering: the tasks import the services, never the reverse (not even
inside a function), and the services know nothing of HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

PAYMENTS = Path(__file__).resolve().parents[2] / "tenant_apps" / "payments"
SERVICES = [*sorted((PAYMENTS / "services").glob("*.py")), PAYMENTS / "query_queue.py"]


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_services_never_import_the_tasks() -> None:
    assert len(SERVICES) > 5
    for path in SERVICES:
        imports = imported_modules(path)
        assert "tenant_apps.payments.tasks" not in imports, path
        assert "tenant_apps.payments.tasks" not in {m.rsplit(".", 1)[0] for m in imports}, path


def test_the_services_speak_no_http() -> None:
    for path in SERVICES:
        imports = imported_modules(path)
        assert not {m for m in imports if m.startswith(("rest_framework", "django.http"))}, path
        assert "saas_platform.errors.error_body" not in imports, path
        # Acknowledgement bodies are the gateways' (Daraja's all carry a ResultCode).
        assert "ResultCode" not in path.read_text(), path
