"""Customers, their credit account and their loyalty points.

A balance or a points total changes only by one conditional ``UPDATE`` (the condition is the
credit limit, or enough points) followed, under the row lock that UPDATE took, by a permanent
entry carrying the total after it. Two tills charging one customer at once therefore queue on
the customer's row, and the second sees the first's charge before its own limit check.

The checkout calls ``credit_charge``, ``credit_release`` and the loyalty functions inside its
own transaction and posts its own journal entry; payments on account and adjustments post
theirs here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from moneyed import Money

from saas_platform.errors import Conflict, NotFound, ValidationFailed
from saas_platform.locking import lock_found
from saas_platform.money import round_money
from saas_platform.phones import phone_normalise
from saas_platform.tenancy import business_currency, business_today
from shared_apps.users.actors import person_or_none
from tenant_apps.catalog.models import PriceList
from tenant_apps.customers.models import (
    CreditEntry,
    CreditKind,
    Customer,
    LoyaltyEntry,
    LoyaltyReason,
    LoyaltySettings,
)
from tenant_apps.customers.selectors import loyalty_settings_get
from tenant_apps.ledger.events import (
    CUSTOMER_PAYMENT_ACCOUNTS,
    credit_adjustment_posted,
    customer_payment_posted,
)

PAYMENT_METHODS = tuple(CUSTOMER_PAYMENT_ACCOUNTS)
CHARGE_KINDS = (CreditKind.CREDIT_SALE, CreditKind.STORE_CREDIT_USED)
RELEASE_KINDS = (CreditKind.RETURN, CreditKind.STORE_CREDIT)
EDITABLE_FIELDS = (
    "name",
    "phone",
    "email",
    "tax_id",
    "credit_limit",
    "payment_terms_days",
    "price_list_id",
    "note",
    "is_active",
)


class CreditLimitExceeded(Conflict):
    code = "credit_limit_exceeded"
    default_message = "This would take the customer over their credit limit."


# --- Customers -------------------------------------------------------------------------------


def _currency() -> str:
    return business_currency()


def _money_in(value: Money, field: str, *, positive: bool = True) -> Money:
    """``value`` rounded to the currency's minor unit, refused in another currency or ≤ 0."""
    currency = _currency()
    if str(value.currency) != currency:
        raise ValidationFailed.for_field(
            field, "wrong_currency", f"Amounts are in {currency}, not {value.currency}."
        )
    rounded = round_money(Money(Decimal(value.amount), currency))
    if positive and rounded.amount <= 0:
        raise ValidationFailed.for_field(field, "not_positive", "The amount must be above zero.")
    return rounded


def _price_list(price_list_id: int | None) -> int | None:
    if price_list_id is not None and not PriceList.objects.filter(pk=price_list_id).exists():
        raise ValidationFailed.for_field(
            "price_list", "unknown_price_list", f"No price list {price_list_id}."
        )
    return price_list_id


def _refuse_taken_phone(phone: str, customer_id: int | None = None) -> None:
    others = Customer.objects.filter(phone=phone)
    if customer_id is not None:
        others = others.exclude(pk=customer_id)
    if phone and others.exists():
        raise Conflict.for_field("phone", "phone_taken", f"Another customer has phone {phone}.")


def _next_code() -> tuple[int, str]:
    """The id the new row will get, and its code: C00042 for customer 42.

    Taking the id from the table's own sequence first makes the code known at INSERT time,
    with no second write and no counter row for concurrent sign-ups to queue on.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('customers_customer', 'id'))")
        (number,) = cursor.fetchone() or (0,)
    return int(number), f"C{int(number):05d}"


def _validated(customer: Customer) -> None:
    customer.name = customer.name.strip()
    if not customer.name:
        raise ValidationFailed.for_field("name", "blank", "Give the customer a name.")
    if customer.credit_limit.amount < 0:
        raise ValidationFailed.for_field(
            "credit_limit", "negative", "A credit limit cannot be negative."
        )
    if customer.payment_terms_days < 0 or customer.payment_terms_days > 365:
        raise ValidationFailed.for_field(
            "payment_terms_days", "out_of_range", "Payment terms are 0 to 365 days."
        )


def _save(customer: Customer, **options: Any) -> None:
    try:
        with transaction.atomic():
            customer.save(**options)
    except IntegrityError as error:
        # Two requests giving one phone number at once: the partial unique index decides.
        if "unique_phone" in str(error):
            raise Conflict.for_field(
                "phone", "phone_taken", f"Another customer has phone {customer.phone}."
            ) from error
        raise


def customer_create(
    *,
    name: str,
    phone: str = "",
    email: str = "",
    tax_id: str = "",
    credit_limit: Money | None = None,
    payment_terms_days: int = 30,
    price_list_id: int | None = None,
    note: str = "",
    actor: Any = None,
) -> Customer:
    with transaction.atomic():
        currency = _currency()
        phone = phone_normalise(phone)
        _refuse_taken_phone(phone)
        limit = (
            Money(0, currency)
            if credit_limit is None
            else _money_in(credit_limit, "credit_limit", positive=False)
        )
        customer = Customer(
            name=name,
            phone=phone,
            email=email.strip(),
            tax_id=tax_id.strip(),
            credit_limit=limit,
            payment_terms_days=payment_terms_days,
            balance=Money(0, currency),
            loyalty_points=0,
            price_list_id=_price_list(price_list_id),
            note=note.strip(),
        )
        _validated(customer)
        customer.pk, customer.code = _next_code()
        _save(customer, force_insert=True)
        return customer


def customer_update(*, customer_id: int, **changes: Any) -> Customer:
    """Changes the customer's details; the balance and points change only through entries."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(
            sorted(unknown)[0], "not_editable", f"{sorted(unknown)[0]} cannot be changed here."
        )
    with transaction.atomic():
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound("No such customer.")
        fields = set(changes)
        if "phone" in changes:
            changes["phone"] = phone_normalise(changes["phone"] or "")
            _refuse_taken_phone(changes["phone"], customer.pk)
        if "credit_limit" in changes:
            changes["credit_limit"] = _money_in(
                changes["credit_limit"], "credit_limit", positive=False
            )
            fields.add("credit_limit_currency")
        if "price_list_id" in changes:
            _price_list(changes["price_list_id"])
        for field in ("email", "tax_id", "note"):
            if field in changes:
                changes[field] = (changes[field] or "").strip()
        for field, value in changes.items():
            setattr(customer, field, value)
        _validated(customer)
        # Only the changed columns: a whole-row save would write back a stale balance.
        _save(customer, update_fields=sorted(fields | {"updated_at"}))
        return customer


# --- The credit account ----------------------------------------------------------------------


def _customer(customer_id: int) -> Customer:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("No such customer.")
    return customer


def _balance_now(customer_id: int) -> Money:
    # Read after this transaction's own UPDATE of the row, under its lock: our own total.
    amount = Customer.objects.filter(pk=customer_id).values_list("balance", flat=True).get()
    return Money(amount, _currency())


def _replayed(key: str | None, customer_id: int) -> CreditEntry | None:
    if key is None:
        return None
    entry = CreditEntry.objects.filter(key=key).first()
    if entry is not None and entry.customer_id != customer_id:
        raise Conflict.for_field(
            "key", "key_reused", "This key was used for another customer's entry."
        )
    return entry


def _with_key(
    key: str | None, customer_id: int, write: Callable[[], CreditEntry]
) -> tuple[CreditEntry, bool]:
    """Runs ``write`` once per key: a repeat, even a concurrent one, gets the first entry.

    A concurrent repeat queues on the customer's row behind the first, then fails on the
    key's unique index; its savepoint undoes its balance change and the first entry is read.
    """
    if key is not None and not key.strip():
        raise ValidationFailed.for_field("key", "blank", "An idempotency key cannot be blank.")
    earlier = _replayed(key, customer_id)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            return write(), True
    except IntegrityError:
        earlier = _replayed(key, customer_id)
        if earlier is None:
            raise
        return earlier, False


def _entry(
    customer_id: int,
    *,
    kind: str,
    amount: Decimal,
    reference: str,
    key: str | None,
    actor: Any,
    due_on: date | None = None,
    note: str = "",
) -> CreditEntry:
    currency = _currency()
    return CreditEntry.objects.create(
        customer_id=customer_id,
        kind=kind,
        amount=Money(amount, currency),
        balance_after=_balance_now(customer_id),
        due_on=due_on,
        reference=reference[:120],
        key=key,
        note=note[:500],
        created_by=person_or_none(actor),
    )


def credit_charge(
    *,
    customer_id: int,
    amount: Money,
    reference: str,
    kind: str = CreditKind.CREDIT_SALE,
    due_on: date | None = None,
    key: str | None = None,
    actor: Any = None,
) -> CreditEntry:
    """The customer takes goods on account (or spends store credit): the balance goes up,
    never past the credit limit. Posts nothing; the checkout posts the sale."""
    if kind not in CHARGE_KINDS:
        raise ValidationFailed.for_field("kind", "invalid_kind", f"Use one of {CHARGE_KINDS}.")
    value = _money_in(amount, "amount")
    with transaction.atomic():
        customer = _customer(customer_id)
        if not customer.is_active:
            raise Conflict(f"{customer.name}'s account is closed.", code="customer_inactive")
        if due_on is None and kind == CreditKind.CREDIT_SALE:
            due_on = business_today() + timedelta(days=customer.payment_terms_days)

        def write() -> CreditEntry:
            charged = Customer.objects.filter(
                pk=customer_id, balance__lte=F("credit_limit") - value.amount
            ).update(balance=F("balance") + value.amount, updated_at=timezone.now())
            if not charged:
                # A concurrent repeat of this very charge may be what used the credit up.
                earlier = _replayed(key, customer_id)
                if earlier is not None:
                    return earlier
                raise _over_limit(customer_id, value)
            return _entry(
                customer_id,
                kind=kind,
                amount=value.amount,
                reference=reference,
                key=key,
                actor=actor,
                due_on=due_on,
            )

        return _with_key(key, customer_id, write)[0]


def _over_limit(customer_id: int, amount: Money) -> CreditLimitExceeded:
    customer = Customer.objects.get(pk=customer_id)
    available = max(customer.credit_limit.amount - customer.balance.amount, Decimal(0))
    currency = _currency()
    return CreditLimitExceeded(
        f"{customer.name} has {currency} {available:,.2f} of credit available "
        f"(limit {currency} {customer.credit_limit.amount:,.2f}, owing "
        f"{currency} {customer.balance.amount:,.2f}); {currency} {amount.amount:,.2f} "
        "is more than that.",
        fields={
            "amount": [
                {"code": "credit_limit_exceeded", "message": f"At most {available:.2f} on credit."}
            ]
        },
    )


def credit_release(
    *,
    customer_id: int,
    amount: Money,
    reference: str,
    kind: str = CreditKind.RETURN,
    key: str | None = None,
    actor: Any = None,
) -> CreditEntry:
    """Takes ``amount`` off what the customer owes: a credit sale returned, or a refund kept
    as store credit. The balance may go below zero (the business then owes the customer)."""
    if kind not in RELEASE_KINDS:
        raise ValidationFailed.for_field("kind", "invalid_kind", f"Use one of {RELEASE_KINDS}.")
    value = _money_in(amount, "amount")
    with transaction.atomic():
        _customer(customer_id)

        def write() -> CreditEntry:
            Customer.objects.filter(pk=customer_id).update(
                balance=F("balance") - value.amount, updated_at=timezone.now()
            )
            return _entry(
                customer_id,
                kind=kind,
                amount=-value.amount,
                reference=reference,
                key=key,
                actor=actor,
            )

        return _with_key(key, customer_id, write)[0]


def customer_payment_receive(
    *,
    customer_id: int,
    amount: Money,
    method: str,
    reference: str = "",
    key: str | None = None,
    actor: Any = None,
) -> CreditEntry:
    """The customer pays their account, and the money is booked against receivables.

    Paying more than is owed leaves the rest as store credit.
    """
    if method not in PAYMENT_METHODS:
        raise ValidationFailed.for_field(
            "method", "invalid_method", f"Use one of {', '.join(PAYMENT_METHODS)}."
        )
    value = _money_in(amount, "amount")
    with transaction.atomic():
        customer = _customer(customer_id)

        def write() -> CreditEntry:
            Customer.objects.filter(pk=customer_id).update(
                balance=F("balance") - value.amount, updated_at=timezone.now()
            )
            entry = _entry(
                customer_id,
                kind=CreditKind.PAYMENT,
                amount=-value.amount,
                reference=reference,
                key=key,
                actor=actor,
                note=f"Paid by {method}",
            )
            memo = f"Payment on account from {customer.name} ({customer.code}) by {method}"
            customer_payment_posted(
                entry_id=entry.pk,
                day=business_today(),
                amount=value,
                method=method,
                memo=f"{memo}, {reference}" if reference else memo,
                actor=actor,
            )
            return entry

        return _with_key(key, customer_id, write)[0]


def credit_adjust(*, customer_id: int, amount: Money, note: str, actor: Any) -> CreditEntry:
    """A manager writes off a debt (negative) or corrects it upwards (positive), with a reason
    on record; the difference is booked against other expenses."""
    if not (note or "").strip():
        raise ValidationFailed.for_field("note", "blank", "Say why the balance is adjusted.")
    value = _money_in(amount, "amount", positive=False)
    if value.amount == 0:
        raise ValidationFailed.for_field("amount", "zero", "An adjustment cannot be zero.")
    with transaction.atomic():
        customer = _customer(customer_id)
        Customer.objects.filter(pk=customer_id).update(
            balance=F("balance") + value.amount, updated_at=timezone.now()
        )
        entry = _entry(
            customer_id,
            kind=CreditKind.ADJUSTMENT,
            amount=value.amount,
            reference="",
            key=None,
            actor=actor,
            note=note.strip(),
        )
        what = "written off" if value.amount < 0 else "added"
        credit_adjustment_posted(
            entry_id=entry.pk,
            day=business_today(),
            amount=value,
            memo=f"{customer.name} ({customer.code}): {abs(value.amount)} {what}: {note.strip()}",
            actor=actor,
        )
        return entry


# --- Loyalty ---------------------------------------------------------------------------------


def loyalty_value(points: int) -> Money:
    """What ``points`` are worth at the till today."""
    settings = loyalty_settings_get()
    return round_money(Money(settings.point_value.amount * points, _currency()))


def _points_now(customer_id: int) -> int:
    return int(
        Customer.objects.filter(pk=customer_id).values_list("loyalty_points", flat=True).get()
    )


def _points_entry(customer_id: int, points: int, reason: str, reference: str) -> None:
    LoyaltyEntry.objects.create(
        customer_id=customer_id,
        points=points,
        reason=reason,
        reference=reference[:120],
        balance_after=_points_now(customer_id),
    )


def loyalty_earn(*, customer_id: int, spend: Money, reference: str) -> int:
    """Points for ``spend`` (whole points, rounded down); 0 when the programme is off."""
    settings = loyalty_settings_get()
    if not settings.enabled or spend.amount <= 0:
        return 0
    points = int((Decimal(spend.amount) * settings.points_per_unit).to_integral_value(ROUND_FLOOR))
    if points <= 0:
        return 0
    with transaction.atomic():
        if not Customer.objects.filter(pk=customer_id).update(
            loyalty_points=F("loyalty_points") + points, updated_at=timezone.now()
        ):
            raise NotFound("No such customer.")
        _points_entry(customer_id, points, LoyaltyReason.EARNED, reference)
    return points


def loyalty_redeem(*, customer_id: int, points: int, reference: str) -> Money:
    """Spends ``points``; refused unless the customer has that many. Returns their value."""
    if points <= 0:
        raise ValidationFailed.for_field("points", "not_positive", "Redeem at least one point.")
    settings = loyalty_settings_get()
    if not settings.enabled:
        raise Conflict("The loyalty programme is switched off.", code="loyalty_disabled")
    with transaction.atomic():
        customer = _customer(customer_id)
        if not Customer.objects.filter(pk=customer_id, loyalty_points__gte=points).update(
            loyalty_points=F("loyalty_points") - points, updated_at=timezone.now()
        ):
            have = _points_now(customer_id)
            raise Conflict(
                f"{customer.name} has {have} points, fewer than {points}.",
                code="not_enough_points",
                fields={"points": [{"code": "not_enough_points", "message": f"At most {have}."}]},
            )
        _points_entry(customer_id, -points, LoyaltyReason.REDEEMED, reference)
    return loyalty_value(points)


def loyalty_reverse(*, customer_id: int, points: int, reference: str) -> None:
    """Undoes points on a refund: positive ``points`` takes back what was earned (never below
    zero: the customer may have spent them already), negative gives back what was redeemed."""
    if points == 0:
        return
    with transaction.atomic():
        before = lock_found(
            Customer.objects.values_list("loyalty_points", flat=True),
            pk=customer_id,
            missing="No such customer.",
        )
        Customer.objects.filter(pk=customer_id).update(
            loyalty_points=Greatest(F("loyalty_points") - points, 0), updated_at=timezone.now()
        )
        change = _points_now(customer_id) - int(before)
        if change:
            _points_entry(customer_id, change, LoyaltyReason.REVERSED, reference)


def loyalty_settings_set(
    *, enabled: bool, points_per_unit: Decimal, point_value: Money
) -> LoyaltySettings:
    if points_per_unit < 0:
        raise ValidationFailed.for_field(
            "points_per_unit", "negative", "Points per unit cannot be negative."
        )
    value = _money_in(point_value, "point_value", positive=False)
    if value.amount < 0:
        raise ValidationFailed.for_field(
            "point_value", "negative", "A point cannot be worth less than nothing."
        )
    with transaction.atomic():
        settings, _ = LoyaltySettings.objects.update_or_create(
            pk=1,
            defaults={
                "enabled": enabled,
                "points_per_unit": points_per_unit,
                "point_value": value,
            },
        )
        return settings
