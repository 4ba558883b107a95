"""Pricing, shared by the quote and the checkout; it computes and refuses, and never writes.

- ``cart``: a cart priced as the checkout will charge it (products, price lists, the customer's
  list, coupons, what a role may override, amounts the columns can hold).
- ``amounts``: the arithmetic of discounts, tax and rounding, on plain numbers.
"""
