"""Local fakes of outside services for tests and ``make run``.

Never part of the product: nothing under saas_platform/, shared_apps/, tenant_apps/ or billing/
imports this package (they reach a running fake over HTTP, like the real service), and the
production image leaves it out (.dockerignore)."""
