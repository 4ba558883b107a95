"""The payment gateways billing collects through (Stripe, Paystack), each behind
``base.BillingGateway``; ``registry`` picks one by currency or by name.

Our engine decides what is owed; a gateway only saves a payment method and charges an amount
it is given, under a reference we choose, and tells us what happened.
"""
