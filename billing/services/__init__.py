"""Writes of billing: the catalog (platform owners) and subscriptions."""
