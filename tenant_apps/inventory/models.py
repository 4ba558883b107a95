from __future__ import annotations

from django.db import models


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
