"""The writes of sales, one module per concern (docs/sales.md, "Where each write lives").

- ``checkout``: the checkout entry point, its idempotency on the sale's UUID, parking.
- ``tenders``: taking a sale's payments, waiting for gateways and their answers, retrying a
  failed payment, a paybill payment that pays an open sale.
- ``coupons``: making coupons and counting their uses.
- ``stock_holds``: stock reserved for a sale that waits for its payment, released or taken.
- ``completion``: a paid sale's stock out, journal entry, loyalty points and receipt number.
- ``voids``: voiding a parked, waiting or completed sale.
- ``returns``: goods coming back against a completed sale, and the refund.
- ``tills``: tills, shifts, cash in and out, closing with the Z report.

What the services are asked is described by ``tenant_apps.sales.requests``; prices come from
``tenant_apps.sales.pricing``, which only reads.
"""
