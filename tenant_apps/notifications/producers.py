"""What sends: stock alerts, the daily summary, weekly and monthly reports, credit reminders.

Each is a service a task calls in one business's schema; each names its event so that a rerun
(the same task twice, or beat's next run) sends nothing new. Scheduled ones decide by the
business's own clock: at or after 09:00 local, once per local date (the hourly beat entry
catches up a missed hour)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from moneyed import Money

from saas_platform.money import format_amount
from saas_platform.tenancy import (
    business_currency,
    business_zone,
    current_business,
    start_of_day,
)
from tenant_apps.customers.selectors import overdue_list
from tenant_apps.inventory.models import AlertKind, AlertStatus, StockAlert
from tenant_apps.notifications.content import message_content
from tenant_apps.notifications.kinds import Channel, Kind
from tenant_apps.notifications.models import Notification, Status
from tenant_apps.notifications.services import (
    notification_send,
    notification_settings_get,
    staff_notify,
)
from tenant_apps.sales.reports import sales_summary

SEND_HOUR = 9
# Alerts raised longer ago than this are not announced (they were, or they predate
# notifications): a new business, or one upgraded, is not flooded with old news.
NEW_ALERT_WINDOW = timedelta(days=2)
TOP_PRODUCTS = 5

_ALERT_KINDS = {AlertKind.LOW_STOCK: Kind.LOW_STOCK, AlertKind.EXPIRING: Kind.EXPIRING_BATCH}


def _amount(value: Decimal | None) -> str:
    return f"{business_currency()} {format_amount(Money(value or 0, business_currency()))}"


def stock_alerts_notify(*, now: datetime | None = None) -> int:
    """Announces each active low-stock and expiring-batch alert raised recently, once per alert
    (a problem that goes away and comes back is a new alert, announced again)."""
    now = now or timezone.now()
    alerts = StockAlert.objects.filter(
        kind__in=list(_ALERT_KINDS),
        status=AlertStatus.ACTIVE,
        created_at__gte=now - NEW_ALERT_WINDOW,
    ).select_related("product", "location")
    count = 0
    for alert in alerts.order_by("pk"):
        kind = _ALERT_KINDS[AlertKind(alert.kind)]
        label = "Low stock" if kind == Kind.LOW_STOCK else "Expiring"
        content = message_content(
            subject=f"{label}: {alert.product.name} at {alert.location.name}",
            lines=[alert.message],
            short=f"{current_business().name}: {alert.message}"[:320],
        )
        staff_notify(kind=kind, event=f"alert:{alert.pk}", content=content, now=now)
        count += 1
    return count


def _local(now: datetime) -> datetime:
    return now.astimezone(business_zone())


def daily_summary_send(*, now: datetime | None = None) -> bool:
    """Yesterday's sales (count, total, top products) and today's low stock, to owners and
    managers, once per local date from 09:00. True when this call was the day's run."""
    now = now or timezone.now()
    local = _local(now)
    if local.hour < SEND_HOUR:
        return False
    today = local.date()
    day = today - timedelta(days=1)
    summary = sales_summary(start=day, end=day, group="product")
    top = sorted(summary.rows, key=lambda row: row.gross, reverse=True)[:TOP_PRODUCTS]
    low = list(
        StockAlert.objects.filter(kind=AlertKind.LOW_STOCK, status=AlertStatus.ACTIVE)
        .select_related("product")
        .order_by("product__name")
        .values_list("product__name", flat=True)[:10]
    )
    total = summary.totals
    lines = [f"{total.count} sales on {day:%A %d %B %Y}, {_amount(total.gross)} in all."]
    if low:
        lines.append(f"Low on stock: {', '.join(dict.fromkeys(low))}.")
    table = [(row.label, _amount(row.gross)) for row in top]
    content = message_content(
        subject=f"{current_business().name}: sales on {day:%d %b %Y}",
        lines=lines,
        table=table,
        short=(
            f"{current_business().name} {day:%d %b}: {total.count} sales, {_amount(total.gross)}"
            + (f"; low stock: {len(set(low))} products" if low else "")
        ),
    )
    staff_notify(
        kind=Kind.DAILY_SUMMARY, event=f"date:{today.isoformat()}", content=content, now=now
    )
    return True


def _period_report(
    kind: str, title: str, start: date, end: date, before: tuple[date, date], now: datetime
) -> None:
    this = sales_summary(start=start, end=end, group="day").totals
    last = sales_summary(start=before[0], end=before[1], group="day").totals
    change = ""
    if last.gross:
        percent = (this.gross - last.gross) * 100 / last.gross
        change = f" ({percent:+.1f}% against {_amount(last.gross)} the period before)"
    content = message_content(
        subject=f"{current_business().name}: {title}",
        lines=[
            f"{start:%d %b %Y} to {end:%d %b %Y}: {this.count} sales, "
            f"{_amount(this.gross)}{change}.",
        ],
        table=[
            ("Sales", str(this.count)),
            ("Total", _amount(this.gross)),
            ("Returns", _amount(this.returns)),
            ("Previous period: sales", str(last.count)),
            ("Previous period: total", _amount(last.gross)),
        ],
    )
    staff_notify(kind=kind, event=f"period:{start.isoformat()}", content=content, now=now)


def period_reports_send(*, now: datetime | None = None) -> list[str]:
    """Monday's weekly report (last week against the week before) and the 1st's monthly one
    (last month against the month before), from 09:00 local; which were due."""
    now = now or timezone.now()
    local = _local(now)
    if local.hour < SEND_HOUR:
        return []
    today = local.date()
    due = []
    if today.weekday() == 0:
        start = today - timedelta(days=7)
        _period_report(
            Kind.WEEKLY_REPORT,
            f"week of {start:%d %b %Y}",
            start,
            today - timedelta(days=1),
            (start - timedelta(days=7), start - timedelta(days=1)),
            now,
        )
        due.append(Kind.WEEKLY_REPORT.value)
    if today.day == 1:
        end = today - timedelta(days=1)
        start = end.replace(day=1)
        before_end = start - timedelta(days=1)
        _period_report(
            Kind.MONTHLY_REPORT,
            f"{start:%B %Y}",
            start,
            end,
            (before_end.replace(day=1), before_end),
            now,
        )
        due.append(Kind.MONTHLY_REPORT.value)
    return due


def credit_reminders_send(*, now: datetime | None = None) -> int:
    """A reminder to each customer with an overdue balance, by the business's chosen channel
    (else whichever address the customer has), at most once per customer in
    ``NOTIFICATION_CREDIT_REMINDER_DAYS`` days; from 09:00 local. How many were sent."""
    now = now or timezone.now()
    local = _local(now)
    choice = notification_settings_get()
    if local.hour < SEND_HOUR or not choice.credit_reminders:
        return 0
    today = local.date()
    # By local dates: a reminder on the 3rd allows the next one on the 10th (N = 7), whatever
    # the hour either run came at.
    since = start_of_day(today - timedelta(days=settings.NOTIFICATION_CREDIT_REMINDER_DAYS - 1))
    business = current_business()
    sent = 0
    for report in overdue_list(today=today).customers:
        customer = report.customer
        if not customer.is_active:
            continue
        target = f"customer:{customer.pk}"
        recent = Notification.objects.filter(
            kind=Kind.CREDIT_REMINDER, target=target, created_at__gte=since
        ).exclude(key__contains=f":date:{today.isoformat()}:")
        if recent.exclude(status=Status.FAILED).exists():
            continue
        channel, address = _customer_channel(choice.credit_reminder_channel, customer)
        if not address:
            continue
        text = (
            f"Dear {customer.name}, {_amount(report.overdue)} of your account with "
            f"{business.name} is overdue (balance {_amount(report.balance)}). "
            f"Please pay at your next visit or with account {customer.code}."
        )
        content = message_content(
            subject=f"{business.name}: your account is overdue",
            lines=[text],
            table=[
                ("Overdue", _amount(report.overdue)),
                ("Balance", _amount(report.balance)),
                ("Oldest unpaid since", f"{report.oldest_due_on:%d %b %Y}"),
            ],
            short=text,
        )
        row = notification_send(
            kind=Kind.CREDIT_REMINDER,
            channel=channel,
            event=f"date:{today.isoformat()}",
            target=target,
            recipient=address,
            content=content,
            now=now,
        )
        sent += row.status != Status.FAILED
    return sent


def _customer_channel(preferred: str, customer: object) -> tuple[str, str]:
    phone = str(getattr(customer, "phone", "") or "")
    email = str(getattr(customer, "email", "") or "")
    if preferred == Channel.EMAIL and email:
        return Channel.EMAIL, email
    if preferred in (Channel.SMS, Channel.WHATSAPP) and phone:
        return preferred, phone
    if email:
        return Channel.EMAIL, email
    if phone:
        return Channel.SMS, phone
    return preferred, ""
