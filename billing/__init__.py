"""Plans, subscriptions, usage metering and platform invoices (public schema).

Built by the billing issue; the package exists now because the layout is fixed.
"""
