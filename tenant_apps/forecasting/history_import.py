"""Importing the sales a business made before Duka, so its first forecasts learn from years of
history instead of days (docs/forecasting.md, "Bringing your history").

A CSV file, one row per product, location and day: ``date`` (YYYY-MM-DD), ``sku``, ``location``
(a location code; blank: the default shop), ``units``, ``gross`` (what the customers paid) and
``discount`` (given off the list price; blank: none). All or nothing: every row is checked
first and every problem reported as ``row N.column``. Importing a day again replaces it, so a
corrected file can be sent whole.

The history must end before the business's first sale in Duka: from that day on Duka's own
sales are the record, and a day in both would be counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Max, Min

from billing.entitlements import require
from billing.models import Feature
from saas_platform.csv_import import cell_amount, csv_records, refuse_rows
from saas_platform.errors import FieldErrorCollector
from saas_platform.limits import has_control_characters, shown
from saas_platform.safe_csv import unescaped
from saas_platform.tenancy import business_currency, business_today, local_date
from tenant_apps.catalog.models import Product
from tenant_apps.forecasting.models import SalesHistoryDay
from tenant_apps.inventory.models import Location, LocationKind
from tenant_apps.sales.models import Sale, SaleStatus

COLUMNS = ["date", "sku", "location", "units", "gross", "discount"]
REQUIRED_COLUMNS = ("date", "sku", "units", "gross")
MAX_ROWS = 250_000  # two years of 340 products that sell every day
# Past this many problems the rest of the file is not reported: the first ones say what to fix.
MAX_PROBLEMS = 200
EARLIEST = date(2000, 1, 1)
# A checked row: product, location, day, units, gross, discount.
_Day = tuple[int, int, date, Decimal, Decimal, Decimal]


@dataclass(frozen=True)
class HistorySummary:
    days: int  # rows: product, location and day
    products: int
    first_day: date | None
    last_day: date | None
    ends_before: date  # the first day the history may not reach


def history_end() -> date:
    """The first day an import may not reach: the business's first completed sale in Duka
    (today when it has none yet, since today is not over)."""
    first = (
        Sale.objects.filter(status=SaleStatus.COMPLETED, completed_at__isnull=False)
        .order_by("completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    today = business_today()
    return min(local_date(first), today) if first is not None else today


class _Reader:
    def __init__(self) -> None:
        self.errors = FieldErrorCollector()
        self.problem_rows = 0
        self.products = dict(Product.objects.values_list("sku", "pk"))
        self.locations = dict(Location.objects.values_list("code", "pk"))
        self.default_location = (
            Location.objects.filter(kind=LocationKind.STOREFRONT, is_default=True)
            .values_list("pk", flat=True)
            .first()
        )
        self.end = history_end()
        self.seen: dict[tuple[int, int, date], int] = {}

    def error(self, number: int, column: str, code: str, message: str) -> None:
        self.errors.add(f"row {number}.{column}", code, message)

    def day(self, number: int, text: str) -> date | None:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.error(number, "date", "invalid", f"“{shown(text)}” is not a date (YYYY-MM-DD).")
            return None
        if day < EARLIEST:
            self.error(number, "date", "too_early", f"Dates start at {EARLIEST.isoformat()}.")
            return None
        if day >= self.end:
            self.error(
                number, "date", "not_before_duka",
                f"The history must end before {self.end.isoformat()}: from that day on the "
                "business's sales are in Duka.",
            )  # fmt: skip
            return None
        return day

    def amount(self, number: int, column: str, text: str, field: str) -> Decimal | None:
        value, problem = cell_amount(text, SalesHistoryDay, field)
        if problem is not None:
            self.error(number, column, *problem)
        return value

    def row(self, number: int, cells: dict[str, str]) -> _Day | None:
        cells = {column: unescaped(cell).strip() for column, cell in cells.items()}
        for column, cell in cells.items():
            if has_control_characters(cell):
                self.error(
                    number, column, "invalid_characters", "Cannot contain control characters."
                )
                return None
        day = self.day(number, cells["date"])
        product_id = self.products.get(cells["sku"])
        if product_id is None:
            self.error(
                number, "sku", "does_not_exist", f"No product with SKU “{shown(cells['sku'])}”."
            )
        code = cells.get("location", "")
        location_id = self.locations.get(code) if code else self.default_location
        if location_id is None:
            self.error(
                number, "location", "does_not_exist",
                f"No location “{shown(code)}”." if code else "The business has no default shop.",
            )  # fmt: skip
        units = self.amount(number, "units", cells["units"], "units")
        gross = self.amount(number, "gross", cells["gross"], "gross")
        discount_text = cells.get("discount", "")
        discount = (
            self.amount(number, "discount", discount_text, "discount")
            if discount_text
            else Decimal(0)
        )
        if None in (day, product_id, location_id, units, gross, discount):
            return None
        assert day and product_id and location_id  # noqa: S101 (checked just above)
        key = (product_id, location_id, day)
        if key in self.seen:
            self.error(
                number, "date", "duplicate",
                f"{cells['sku']} on {day.isoformat()} is already on row {self.seen[key]}.",
            )  # fmt: skip
            return None
        self.seen[key] = number
        assert units is not None and gross is not None and discount is not None  # noqa: S101
        return (product_id, location_id, day, units, gross, discount)


@transaction.atomic
def sales_history_import(*, content: bytes | str) -> HistorySummary:
    """Checks the whole file, then writes it (replacing days imported before). 402
    ``plan_limit`` on a plan without forecasting: the history serves nothing else."""
    require(Feature.FORECASTING)
    _header, records = csv_records(
        content, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS
    )
    reader = _Reader()
    rows = []
    for index, cells in enumerate(records):
        before = len(reader.errors.fields)
        row = reader.row(index + 2, cells)
        if row is not None:
            rows.append(row)
        if len(reader.errors.fields) > before:
            reader.problem_rows += 1
            if reader.problem_rows >= MAX_PROBLEMS:
                break
    refuse_rows(reader.errors)
    _write(rows)
    return sales_history_summary()


def _write(rows: list[_Day]) -> None:
    """COPY into a temporary table, then one upsert: two years of a shop's products are some
    150,000 rows, which the ORM's bulk_create builds as objects and binds one value at a time
    (over ten times slower). The unique day constraint decides what is replaced."""
    table = connection.ops.quote_name(SalesHistoryDay._meta.db_table)
    currency = business_currency()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE sales_history_in (product_id integer, location_id integer, "
            "day date, units numeric, gross numeric, discount numeric) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY sales_history_in FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} (product_id, location_id, day, units, gross, gross_currency, "  # noqa: S608 (a model's table name, not input)
            "discount, discount_currency, imported_at) "
            "SELECT product_id, location_id, day, units, gross, %s, discount, %s, now() "
            "FROM sales_history_in "
            "ON CONFLICT (product_id, location_id, day) DO UPDATE SET units = EXCLUDED.units, "
            "gross = EXCLUDED.gross, gross_currency = EXCLUDED.gross_currency, "
            "discount = EXCLUDED.discount, discount_currency = EXCLUDED.discount_currency, "
            "imported_at = EXCLUDED.imported_at",
            [currency, currency],
        )
        # Now, not at commit: a second import in the same transaction makes it anew.
        cursor.execute("DROP TABLE sales_history_in")


@transaction.atomic
def sales_history_clear() -> int:
    """Deletes every imported day; the count deleted."""
    deleted, _ = SalesHistoryDay.objects.all().delete()
    return deleted


def sales_history_summary() -> HistorySummary:
    figures = SalesHistoryDay.objects.aggregate(
        days=Count("pk"), products=Count("product", distinct=True), first=Min("day"),
        last=Max("day"),
    )  # fmt: skip
    return HistorySummary(
        days=figures["days"], products=figures["products"], first_day=figures["first"],
        last_day=figures["last"], ends_before=history_end(),
    )  # fmt: skip
