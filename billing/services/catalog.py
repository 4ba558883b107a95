"""Platform owners' edits of the catalog: plans, their base fees, metrics and charges."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import moneyed
from django.db import IntegrityError, transaction
from moneyed import Money

from billing.models import (
    BillableMetric,
    Charge,
    ChargeModel,
    ChargePrice,
    Plan,
    PlanPrice,
)
from billing.requests import ChargeInput
from billing.tiers import parse_tiers
from saas_platform.errors import Conflict, FieldErrorCollector, NotFound, ValidationFailed
from saas_platform.locking import lock_found

# The plan fields a platform owner may set (code is fixed once made: subscriptions name it).
PLAN_FIELDS = (
    "name",
    "interval",
    "trial_days",
    "is_active",
    "is_default",
    "max_stores",
    "max_registers",
    "max_staff_seats",
    "max_products",
    "forecasting",
    "api_access",
    "multi_store",
    "notifications",
)


def _currency(code: str, field: str) -> str:
    code = code.upper()
    try:
        moneyed.get_currency(code)
    except moneyed.CurrencyDoesNotExist as exc:
        raise ValidationFailed.for_field(
            field, "unknown_currency", f"{code} is not an ISO 4217 currency."
        ) from exc
    return code


def _set_prices(plan: Plan, prices: Mapping[str, Decimal]) -> None:
    for currency, amount in prices.items():
        currency = _currency(currency, f"prices.{currency}")
        PlanPrice.objects.update_or_create(
            plan=plan, amount_currency=currency, defaults={"amount": Money(amount, currency)}
        )


def _apply(plan: Plan, changes: Mapping[str, Any]) -> None:
    for name in PLAN_FIELDS:
        if name in changes:
            setattr(plan, name, changes[name])
    if plan.is_default and not plan.is_active:
        raise ValidationFailed.for_field(
            "is_active", "default_plan", "The default plan (signup's trial) must stay active."
        )


def _save(plan: Plan) -> None:
    if plan.is_default:
        # One default: making this one the default takes the flag off the old one.
        Plan.objects.filter(is_default=True).exclude(pk=plan.pk).update(is_default=False)
    plan.full_clean(exclude=["code"] if plan.pk else None)
    plan.save()


@transaction.atomic
def plan_create(*, code: str, prices: Mapping[str, Decimal], **fields: Any) -> Plan:
    if Plan.objects.filter(code=code).exists():
        raise Conflict.for_field("code", "code_taken", f"A plan {code} exists already.")
    if not prices:
        raise ValidationFailed.for_field("prices", "required", "Give the base fee in USD at least.")
    plan = Plan(code=code)
    _apply(plan, fields)
    _save(plan)
    _set_prices(plan, prices)
    return plan


@transaction.atomic
def plan_update(*, code: str, prices: Mapping[str, Decimal] | None = None, **changes: Any) -> Plan:
    """Edits a plan. A base fee given is set; fees of currencies not given stay. Existing
    subscriptions see the new limits and fees at once (a plan is a reference, not a copy)."""
    plan = lock_found(Plan, code=code, missing=f"No plan {code}.")
    if plan.is_default and changes.get("is_default") is False:
        raise ValidationFailed.for_field(
            "is_default", "default_plan", "Make another plan the default instead."
        )
    _apply(plan, changes)
    _save(plan)
    _set_prices(plan, prices or {})
    return plan


@transaction.atomic
def metric_create(
    *, code: str, name: str, aggregation: str, field_name: str = ""
) -> BillableMetric:
    if BillableMetric.objects.filter(code=code).exists():
        raise Conflict.for_field("code", "code_taken", f"A metric {code} exists already.")
    if aggregation != "count" and not field_name:
        raise ValidationFailed.for_field(
            "field_name", "required", "Say which field this aggregation reads."
        )
    metric = BillableMetric(code=code, name=name, aggregation=aggregation, field_name=field_name)
    metric.full_clean()
    metric.save()
    return metric


def _check_charge(data: ChargeInput) -> None:
    errors = FieldErrorCollector()
    if data.model not in ChargeModel.values:
        errors.add("model", "invalid", f"Unknown charge model {data.model!r}.")
    if data.free_units < 0:
        errors.add("free_units", "negative", "Free units cannot be negative.")
    if data.model == ChargeModel.PACKAGE and not data.package_size:
        errors.add("package_size", "required", "A package charge needs a package size.")
    if not data.prices:
        errors.add("prices", "required", "Give the charge's price in at least one currency.")
    for index, price in enumerate(data.prices):
        where = f"prices[{index}]"
        if data.model in (ChargeModel.GRADUATED, ChargeModel.VOLUME):
            try:
                parse_tiers(price.tiers, field=f"{where}.tiers")
            except ValidationFailed as exc:
                errors.extend(exc.fields)
        elif price.unit_amount is None:
            errors.add(f"{where}.unit_amount", "required", "Give the price per unit or package.")
    errors.raise_if_any()


def _write_prices(charge: Charge, data: ChargeInput) -> None:
    charge.prices.all().delete()
    tiered = data.model in (ChargeModel.GRADUATED, ChargeModel.VOLUME)
    seen = set()
    for index, price in enumerate(data.prices):
        currency = _currency(price.currency, f"prices[{index}].currency")
        if currency in seen:
            raise ValidationFailed.for_field(
                f"prices[{index}].currency", "duplicate", f"{currency} is given twice."
            )
        seen.add(currency)
        ChargePrice.objects.create(
            charge=charge,
            currency=currency,
            unit_amount=None if tiered else price.unit_amount,
            tiers=price.tiers if tiered else [],
        )


@transaction.atomic
def charge_create(*, plan_code: str, data: ChargeInput) -> Charge:
    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise NotFound(f"No plan {plan_code}.")
    metric = BillableMetric.objects.filter(code=data.metric_code).first()
    if metric is None:
        raise ValidationFailed.for_field(
            "metric", "unknown_metric", f"No metric {data.metric_code}."
        )
    _check_charge(data)
    try:
        with transaction.atomic():
            charge = Charge.objects.create(
                plan=plan,
                metric=metric,
                model=data.model,
                free_units=data.free_units,
                package_size=data.package_size,
            )
    except IntegrityError as exc:
        raise Conflict.for_field(
            "metric", "charge_exists", f"{plan} already charges for {metric.code}."
        ) from exc
    _write_prices(charge, data)
    return charge


@transaction.atomic
def charge_replace(*, plan_code: str, charge_id: int, data: ChargeInput) -> Charge:
    """Replaces a charge's model, free units and prices (its metric stays)."""
    charge = lock_found(
        Charge, pk=charge_id, plan__code=plan_code, missing="No such charge on this plan."
    )
    _check_charge(data)
    charge.model = data.model
    charge.free_units = data.free_units
    charge.package_size = data.package_size
    charge.save()
    _write_prices(charge, data)
    return charge


@transaction.atomic
def charge_delete(*, plan_code: str, charge_id: int) -> None:
    deleted, _ = Charge.objects.filter(pk=charge_id, plan__code=plan_code).delete()
    if not deleted:
        raise NotFound("No such charge on this plan.")
