"""Reading an uploaded CSV file for an all-or-nothing import: one decoding, one header check
and one set of file-level error codes for every import (products, sales history).

Problems of the file as a whole are keyed ``file``; each import checks its own rows and keys
their problems ``row N.column`` (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import models

from saas_platform.errors import DukaError, FieldErrorCollector, ValidationFailed
from saas_platform.limits import decimal_problem, shown


def csv_text(content: bytes | str) -> str:
    """The file's text: UTF-8, with or without the byte-order mark spreadsheets write."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed.for_field(
            "file", "invalid_encoding", "Save the file as CSV UTF-8 and try again."
        ) from error


def csv_records(
    content: bytes | str, *, columns: Sequence[str], required: Sequence[str], max_rows: int
) -> tuple[list[str], list[dict[str, str]]]:
    """The header (lower-cased) and each non-blank row as {column: cell}; short rows padded
    with blank cells. Refuses an unreadable or empty file, missing, unknown or repeated
    columns, and more than ``max_rows`` rows, all at once."""
    try:
        records = list(csv.reader(io.StringIO(csv_text(content))))
    except csv.Error as error:
        raise ValidationFailed.for_field(
            "file", "invalid_csv", f"Not a readable CSV file: {error}."
        ) from error
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ValidationFailed.for_field("file", "empty", "The file is empty.")
    header = [name.strip().lower() for name in records[0]]
    problems = FieldErrorCollector()
    missing = [c for c in required if c not in header]
    if missing:
        problems.add("file", "missing_columns", f"The header lacks: {', '.join(missing)}.")
    unknown = [c for c in header if c not in columns]
    if unknown:
        problems.add(
            "file",
            "unknown_columns",
            f"Unknown columns: {', '.join(shown(c, 40) for c in unknown[:5])}"
            f"{'…' if len(unknown) > 5 else ''}. Known: {', '.join(columns)}.",
        )
    if len(set(header)) != len(header):
        problems.add("file", "duplicate_columns", "A column appears twice in the header.")
    if len(records) - 1 > max_rows:
        problems.add("file", "too_many_rows", f"At most {max_rows} rows per file.")
    problems.raise_if_any()
    if len(records) == 1:
        raise ValidationFailed.for_field("file", "empty", "The file has a header but no rows.")
    rows = []
    for record in records[1:]:
        padded = record + [""] * (len(header) - len(record))
        rows.append(dict(zip(header, padded, strict=False)))
    return header, rows


def cell_number(text: str) -> Decimal | None:
    """A cell's number (thousands separators allowed), or None when it is not a finite one:
    ``1e30`` parses, ``NaN`` and ``Infinity`` do not (each import checks the range)."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def cell_amount(
    text: str, model: type[models.Model], field: str
) -> tuple[Decimal | None, tuple[str, str] | None]:
    """A cell's amount for ``model.field``: the value, or the problem (code, message) that
    refuses it: not a number, too large or too precise for the column, or negative."""
    value = cell_number(text)
    if value is None:
        return None, ("invalid", f"“{shown(text)}” is not a number.")
    problem = decimal_problem(value, model, field)
    if problem is not None:
        return None, problem
    if value < 0:
        return None, ("negative", "An amount cannot be negative.")
    return value, None


def refuse_rows(errors: FieldErrorCollector) -> None:
    """Raises the rows' problems, if any, saying how many rows have them."""
    if errors:
        count = len({key.split(".", 1)[0] for key in errors.fields})
        errors.raise_if_any(message=f"{count} row(s) have problems; nothing was imported.")


def rekeyed(error: DukaError, number: int) -> DukaError:
    """A service's refusal of one row, keyed by that row as the checks key theirs."""
    error.fields = {f"row {number}.{name}": problems for name, problems in error.fields.items()}
    error.message = f"row {number}: {error.message}"
    return error
