"""Every new business starts a trial on the default plan."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from billing.selectors import default_plan
from billing.services.subscriptions import subscription_start
from shared_apps.tenants.seed_hooks import register_seed_hook

if TYPE_CHECKING:
    from shared_apps.tenants.models import Tenant
    from shared_apps.users.models import User

logger = logging.getLogger(__name__)


# First: the other hooks make stores and tills, which the plan's limits are checked against.
@register_seed_hook("billing.trial", order=0)
def seed_trial(*, tenant: Tenant, owner: User) -> None:
    plan = default_plan()
    if plan is None:
        # The catalog is the platform owners' to keep; a platform without plans still signs
        # businesses up (and holds them to no limits) rather than turning them away.
        logger.warning("no default plan: %s starts without a subscription", tenant.slug)
        return
    subscription_start(tenant=tenant, plan=plan)
