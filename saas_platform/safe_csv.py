"""The one CSV writer of every export, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or ``|``, ``%``, a tab or a carriage return)
runs as a formula when Excel or LibreOffice opens the file: a product named
``=HYPERLINK("http://evil", "Click")`` becomes a live link, worse with DDE. Every text cell goes
through defusedcsv, which puts an apostrophe in front of such a cell (``'=HYPERLINK(…)``) so the
spreadsheet shows it as the text it is; we add the tab and carriage return that defusedcsv lets
through (OWASP lists both).

Numbers are left as numbers: defusedcsv never touches a plain number, signed or not
(``-120.50``, ``1,200``), since it cannot be a formula, so amount columns stay numeric in a
spreadsheet. A text cell that merely looks like a number is likewise harmless and unchanged;
anything else starting with ``-`` or ``+`` (``+254712345678``, ``-1+2``) gets the apostrophe.

:func:`unescaped` undoes this on import, so an exported file imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TextIO

from defusedcsv import csv as defused

# What defusedcsv escapes, and what we escape on top of it.
_DEFUSED_STARTS = ("=", "+", "-", "@", "|", "%")
_CONTROL_STARTS = ("\t", "\r")
_QUOTE = "'"


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_CONTROL_STARTS):
        return _QUOTE + value
    return value


class CsvWriter:
    """``csv.writer``'s ``writerow``/``writerows``, neutralising formula-leading cells."""

    def __init__(self, out: TextIO, **fmtparams: Any) -> None:
        self._writer = defused.writer(out, **fmtparams)
        # Python's writer quotes a cell with a line break only if the break is part of the
        # line terminator: with "\n" a lone "\r" goes out bare, and a spreadsheet starts a
        # new row there (whose first cell could then be a formula). Such rows are written
        # with every cell quoted.
        self._quoted = defused.writer(out, **{**fmtparams, "quoting": defused.QUOTE_ALL})
        self._terminator = str(fmtparams.get("lineterminator", "\r\n"))

    def _breaks_lines(self, value: Any) -> bool:
        return isinstance(value, str) and any(
            c in value and c not in self._terminator for c in "\r\n"
        )

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = [_cell(value) for value in row]
        writer = self._quoted if any(self._breaks_lines(c) for c in cells) else self._writer
        return writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: TextIO, **fmtparams: Any) -> CsvWriter:
    return CsvWriter(out, **fmtparams)


def unescaped(cell: str) -> str:
    """A cell as it was before :class:`CsvWriter` neutralised it (for imports)."""
    if len(cell) < 2 or cell[0] != _QUOTE:
        return cell
    rest = cell[1:]
    if rest.startswith(_CONTROL_STARTS):
        return rest
    # defusedcsv also turns "|" into "\|" in the cells it escapes.
    original = rest.replace("\\|", "|")
    if original.startswith(_DEFUSED_STARTS):
        return original
    return cell
