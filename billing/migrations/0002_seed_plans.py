"""The three plans every platform starts with; platform owners edit them afterwards (console API).

The data is spelled out here, not imported, so that the migration keeps meaning what it meant
when the models change.
"""

from decimal import Decimal

from django.db import migrations

# Rough exchange rates from USD, rounded to prices people quote.
BASE_FEES = {
    "starter": {"USD": 19, "KES": 2500, "NGN": 15000, "GHS": 250, "ZAR": 350, "INR": 1500},
    "growth": {"USD": 49, "KES": 6500, "NGN": 40000, "GHS": 650, "ZAR": 900, "INR": 4000},
    "scale": {"USD": 149, "KES": 19500, "NGN": 120000, "GHS": 1900, "ZAR": 2700, "INR": 12000},
}
RATES = {"USD": 1, "KES": 130, "NGN": 800, "GHS": 13, "ZAR": 18, "INR": 83}

PLANS = [
    {
        "code": "starter",
        "name": "Starter",
        "is_default": True,
        "max_stores": 3,
        "max_registers": 3,
        "max_staff_seats": 5,
        "max_products": 1000,
    },
    {
        "code": "growth",
        "name": "Growth",
        "max_stores": 10,
        "max_registers": 15,
        "max_staff_seats": 25,
        "max_products": 20000,
        "forecasting": True,
        "api_access": True,
        "multi_store": True,
        "notifications": True,
    },
    {
        "code": "scale",
        "name": "Scale",
        "forecasting": True,
        "api_access": True,
        "multi_store": True,
        "notifications": True,
    },
]

METRICS = [
    ("sales", "Completed sales", "count", "", "Counted in the business's own tables at billing."),
    ("api_calls", "API calls", "count", "", "One usage event per API request made with a key."),
    ("sms_sent", "SMS and WhatsApp messages", "sum", "quantity", "Messages sent to customers."),
    ("forecast_runs", "Forecast runs", "count", "", "One event per forecasting run."),
]

# (plan, metric, model, free units, package size, USD unit amount, USD tiers)
CHARGES = [
    ("starter", "sales", "graduated", 2000, None, None, [(10000, "0.01"), (None, "0.005")]),
    ("growth", "sales", "graduated", 10000, None, None, [(50000, "0.005"), (None, "0.003")]),
    ("growth", "api_calls", "package", 10000, 1000, "1", None),
    ("growth", "sms_sent", "standard", 0, None, "0.02", None),
    ("scale", "sales", "volume", 50000, None, None, [(200000, "0.004"), (None, "0.002")]),
    ("scale", "api_calls", "package", 100000, 1000, "0.5", None),
    ("scale", "sms_sent", "standard", 0, None, "0.015", None),
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    BillableMetric = apps.get_model("billing", "BillableMetric")
    Charge = apps.get_model("billing", "Charge")
    ChargePrice = apps.get_model("billing", "ChargePrice")
    plans = {}
    for fields in PLANS:
        plan = Plan.objects.create(interval="monthly", trial_days=14, **fields)
        plans[plan.code] = plan
        for currency, fee in BASE_FEES[plan.code].items():
            PlanPrice.objects.create(plan=plan, amount=Decimal(fee), amount_currency=currency)
    metrics = {}
    for code, name, aggregation, field_name, description in METRICS:
        metrics[code] = BillableMetric.objects.create(
            code=code,
            name=name,
            aggregation=aggregation,
            field_name=field_name,
            description=description,
        )
    for plan, metric, model, free, size, unit, tiers in CHARGES:
        charge = Charge.objects.create(
            plan=plans[plan], metric=metrics[metric], model=model, free_units=free, package_size=size
        )
        for currency, rate in RATES.items():
            ChargePrice.objects.create(
                charge=charge,
                currency=currency,
                unit_amount=None if unit is None else Decimal(unit) * rate,
                tiers=[
                    {
                        "up_to": up_to,
                        "unit_amount": str(Decimal(amount) * rate),
                        "flat_amount": "0",
                    }
                    for up_to, amount in tiers or []
                ],
            )


def unseed(apps, schema_editor):
    apps.get_model("billing", "Plan").objects.filter(
        code__in=[plan["code"] for plan in PLANS]
    ).delete()
    apps.get_model("billing", "BillableMetric").objects.filter(
        code__in=[metric[0] for metric in METRICS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
