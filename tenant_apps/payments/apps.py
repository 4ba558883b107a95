from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tenant_apps.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from tenant_apps.audit.registry import audit

        get = self.get_model
        # Secrets and unguessable URL tokens never go into the audit trail.
        audit(get("ProviderAccount"), exclude=["credentials", "c2b_token"])
        audit(get("Payment"), exclude=["callback_token", "next_query_at", "query_attempts",
                                       "late_queries"])  # fmt: skip
        audit(get("PaymentRefund"), exclude=["callback_token"])
        audit(get("C2BPayment"), exclude=["raw"])
