"""Everything about a schema that must survive a clone, with the schema's own name factored out."""

from __future__ import annotations

from typing import Any

from django.db import connection


def schema_structure(schema: str) -> dict[str, Any]:
    def neutral(text: str) -> str:
        return text.replace(f'"{schema}".', "S.").replace(f"{schema}.", "S.")

    def rows(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, {"schema": schema})
            return [
                tuple(neutral(v) if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            ]

    return {
        "columns": rows(
            "SELECT table_name, column_name, data_type, is_nullable, is_identity, "
            "identity_generation, column_default, is_generated, generation_expression "
            "FROM information_schema.columns WHERE table_schema = %(schema)s ORDER BY 1, 2"
        ),
        "indexes": rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = %(schema)s ORDER BY 1, 2"
        ),
        "constraints": rows(
            "SELECT c.relname, k.conname, k.contype, k.condeferrable, k.condeferred, "
            "pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s "
            "ORDER BY 1, 2"
        ),
        "triggers": rows(
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %(schema)s AND NOT t.tgisinternal ORDER BY 1, 2"
        ),
        "migrations": rows(
            f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name'
        ),
    }
