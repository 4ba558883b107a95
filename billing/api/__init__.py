"""Billing's HTTP API: the catalog for platform owners (console), on the root domain."""
