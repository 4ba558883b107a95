from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from saas_platform.money import money_field
from saas_platform.quantities import quantity_field
from shared_apps.users.actors import author_field


class LocationKind(models.TextChoices):
    STOREFRONT = "storefront", "Storefront"
    WAREHOUSE = "warehouse", "Warehouse"


class Location(models.Model):
    """A place that holds stock: a shop floor that sells, or a warehouse that stores."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=LocationKind.choices)
    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            # At most one default location of each kind.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_default=True),
                name="inventory_location_one_default_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class StockLevel(models.Model):
    """On-hand and reserved quantity of a product at a location.

    Changed only by conditional UPDATEs in ``stock.py``, each paired with a movement, so that
    ``quantity`` always equals the sum of the movements (``verify_stock`` checks it).
    """

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    quantity = quantity_field(default=0)
    reserved = quantity_field(default=0)
    low_stock_threshold = quantity_field(null=True, blank=True)
    # Written by each of those UPDATEs too (auto_now is not), for integrations that sync.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stock_level_unique"),
            # Below zero only where the business sells ahead of its stock (the engine decides),
            # and never with anything reserved.
            models.CheckConstraint(
                condition=Q(quantity__gte=0) | Q(reserved=0), name="stock_negative_unreserved"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & (Q(reserved__lte=F("quantity")) | Q(reserved=0)),
                name="stock_reserved_within_on_hand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.location_id}: {self.quantity}"


class Batch(models.Model):
    """Stock received together, at one unit cost, maybe with an expiry; consumed oldest first."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="batches")
    lot_code = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    expires_on = models.DateField(null=True, blank=True)
    unit_cost = money_field()
    quantity_received = quantity_field()
    quantity_remaining = quantity_field()
    reference = models.CharField(max_length=120, blank=True)
    # Units sold that were not in stock (a business that allows it): a negative remainder,
    # filled first by the next receipt, so that levels still equal the sum of batches.
    is_deficit = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(
                fields=["product", "location", "received_at", "id"],
                condition=Q(quantity_remaining__gt=0),
                name="batch_fifo_open",
            ),
            models.Index(
                fields=["expires_on"], condition=Q(quantity_remaining__gt=0), name="batch_expiry"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_deficit=False)
                    & Q(quantity_remaining__gte=0)
                    & Q(quantity_remaining__lte=F("quantity_received"))
                )
                | (Q(is_deficit=True) & Q(quantity_remaining__lte=0) & Q(quantity_received=0)),
                name="batch_remaining_within_received",
            ),
            models.UniqueConstraint(
                fields=["product", "location"],
                condition=Q(is_deficit=True),
                name="batch_one_deficit_per_place",
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} of {self.product_id} ({self.quantity_remaining} left)"


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", "Goods received"
    SALE = "sale", "Sale"
    RETURN = "return", "Customer return"
    TRANSFER_OUT = "transfer_out", "Transfer out"
    TRANSFER_IN = "transfer_in", "Transfer in"
    DAMAGE = "damage", "Damage"
    THEFT = "theft", "Theft"
    EXPIRY = "expiry", "Expired"
    CORRECTION = "correction", "Correction"
    COUNT = "count", "Stock count variance"
    OPENING = "opening", "Opening balance"


class StockMovement(models.Model):
    """One change of stock, never edited or deleted (the database refuses both)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    quantity = quantity_field(help_text="Positive in, negative out.")
    unit_cost = money_field()
    reason = models.CharField(max_length=20, choices=MovementReason.choices)
    reference = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["product", "location", "created_at"], name="movement_product"),
            models.Index(fields=["reference"], name="movement_reference"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.quantity} of {self.product_id} @ {self.location_id}"


class AlertKind(models.TextChoices):
    LOW_STOCK = "low_stock", "Low stock"
    EXPIRING = "expiring", "Batch expiring"
    NEGATIVE_STOCK = "negative_stock", "Sold below zero"


class AlertStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"


class StockAlert(models.Model):
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default="active")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="alerts")
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open alert per problem: concurrent movements cannot raise duplicates.
            models.UniqueConstraint(
                fields=["kind", "product", "location"],
                condition=Q(status="active", batch=None),
                name="alert_one_active_low_stock",
            ),
            models.UniqueConstraint(
                fields=["kind", "batch"],
                condition=Q(status="active") & ~Q(batch=None),
                name="alert_one_active_per_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status}): {self.message}"


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FULFILLED = "fulfilled", "Fulfilled"
    RELEASED = "released", "Released"
    EXPIRED = "expired", "Expired"


class Reservation(models.Model):
    """Stock held for an order (a layaway, a web order) until it is sold or the hold expires."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="reservations")
    quantity = quantity_field()
    status = models.CharField(
        max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    reference = models.CharField(max_length=120, blank=True)
    expires_at = models.DateTimeField()
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="active"), name="reservation_expiry"
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_positive"),
        ]

    def __str__(self) -> str:
        return f"reservation {self.pk}: {self.quantity} of {self.product_id} ({self.status})"


class TransferStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_TRANSIT = "in_transit", "In transit"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class Transfer(models.Model):
    source = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_out")
    destination = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(
        max_length=12, choices=TransferStatus.choices, default=TransferStatus.DRAFT
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two_places"
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.pk} ({self.status})"


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field()
    quantity_received = quantity_field(default=0)
    # Average FIFO cost of what left the source; the destination's batches take it over.
    unit_cost = money_field(null=True, blank=True)

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "product"], name="transfer_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=0) & Q(quantity_received__lte=F("quantity")),
                name="transfer_line_received_within_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.product_id}"


class CountStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class StockCount(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="counts")
    status = models.CharField(max_length=10, choices=CountStatus.choices, default=CountStatus.OPEN)
    # Blind counts hide the expected quantities from the counters.
    blind = models.BooleanField(default=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = author_field()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"count {self.pk} at {self.location_id} ({self.status})"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    expected = quantity_field()
    counted = quantity_field(null=True, blank=True)
    # What completing the count changed: counted minus the stock at that moment.
    variance = quantity_field(null=True, blank=True)

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "product"], name="count_line_unique"),
            models.CheckConstraint(
                condition=Q(counted=None) | Q(counted__gte=0), name="count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.counted} counted, {self.expected} expected"
