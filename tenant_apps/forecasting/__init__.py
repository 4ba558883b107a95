"""Demand forecasting for a business: the engine (``engine/``, no Django) and, later, the app
that trains it per business, stores models and forecasts and serves them (docs/forecasting.md)."""
