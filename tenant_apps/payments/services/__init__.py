"""Writes of the payments app, one module per concern; import from the module itself
(``from tenant_apps.payments.services.lifecycle import payment_create``): this package
re-exports nothing.

- ``lifecycle``: create, send, query, settle, resolve a payment; the sweep of overdue queries.
- ``callbacks``: what providers post about a payment or a refund, as a domain outcome.
- ``refunds``: giving money back (provider refund, M-Pesa reversal or B2C payout).
- ``c2b``: paybill and till payments nobody asked for (M-Pesa C2B).
- ``accounts``: a business's provider accounts, their credentials and the URLs to give out.
- ``_common``: what those share (tokens, gateways, the payment row, links, the callback log).
"""
