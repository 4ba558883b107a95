"""Demand forecasts of a business: each training run, and the daily forecasts of its latest
successful run per product and location (docs/forecasting.md, "In the product")."""

from __future__ import annotations

from django.db import models

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field
from shared_apps.users.actors import author_field


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ForecastRun(models.Model):
    """One training of the business's model and its forecasts. ``progress`` (0-100) and
    ``step`` tell the owner who asked for it how far it is."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = author_field()  # None: the nightly run
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    horizon_days = models.PositiveSmallIntegerField(default=28)
    series = models.PositiveIntegerField(default=0)
    # "product:location" of the series too short for the model: seasonal naive instead.
    fallback_series = models.JSONField(default=list, blank=True)
    # MASE on the last ``horizon_days`` held out: the model's and seasonal naive's.
    mase = models.FloatField(null=True, blank=True)
    mase_naive = models.FloatField(null=True, blank=True)
    # In the business's own media folder: the run's forecasts (CSV) and its trained LightGBM
    # boosters by quantile column (text format): {"p50": path, "p90": path}.
    forecast_file = models.CharField(max_length=200, blank=True)
    model_files = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One run at a time: a second request while one waits or runs gets that one.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status__in=["queued", "running"]),
                name="forecasting_one_active_run",
            ),
        ]

    def __str__(self) -> str:
        return f"forecast run {self.pk} ({self.status})"


class ProductForecast(models.Model):
    """Units a product is expected to sell at a location on a day: the median (p50) and a
    high case (p90) that nine days in ten stay under."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="forecasts")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("inventory.Location", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    p50 = models.DecimalField(max_digits=14, decimal_places=3)
    p90 = models.DecimalField(max_digits=14, decimal_places=3)
    method = models.CharField(max_length=20)  # "lightgbm", "seasonal_naive" or "blend"

    class Meta:
        ordering = ["product", "location", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "location", "day"], name="forecast_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id} {self.day}: {self.p50}"


class SalesHistoryDay(models.Model):
    """A product's sales at a location on one day before the business sold with Duka, imported
    from the system it used before (docs/forecasting.md, "Bringing your history"), so its first
    forecasts learn from years, not days.

    Only the forecasts read it: the books, stock and sales reports start with the business's
    first sale here, which is why an import may not reach that day."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("inventory.Location", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    units = quantity_field()
    gross = money_field()  # what the customers paid for those units
    discount = money_field()  # what was given off the list price
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "product", "location"]
        constraints = [
            # Importing a day again replaces it: a corrected file is sent whole.
            models.UniqueConstraint(
                fields=["product", "location", "day"], name="sales_history_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id} {self.day}: {self.units}"
