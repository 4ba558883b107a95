"""Django settings for Duka, read from the environment (see .env.example)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("READ_DOT_ENV_FILE", default=False):
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

# --- Hosts and tenancy --------------------------------------------------------------------------

PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="localhost").lower()
# The root domain serves the public site; every business lives on a subdomain of it.
ALLOWED_HOSTS = [
    PLATFORM_DOMAIN,
    f".{PLATFORM_DOMAIN}",
    *env.list("EXTRA_ALLOWED_HOSTS", default=[]),
]
# Scheme and port used when we tell a new business where its site is.
PLATFORM_URL_SCHEME = env.str("PLATFORM_URL_SCHEME", default="http" if DEBUG else "https")
PLATFORM_URL_PORT = env.str("PLATFORM_URL_PORT", default="8000" if DEBUG else "")
# The platform owner that `manage.py migrate` makes sure exists in the public schema (console
# access). The password only bootstraps an account that has none; unset = set one with
# `manage.py changepassword`.
PLATFORM_OWNER_EMAIL = env.str("PLATFORM_OWNER_EMAIL", default="")
PLATFORM_OWNER_PASSWORD = env.str("PLATFORM_OWNER_PASSWORD", default="")

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "saas_platform.urls_public"
ROOT_URLCONF = "saas_platform.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# One SET search_path per connection and tenant switch instead of one per query.
TENANT_LIMIT_SET_CALLS = True
# The template schema that new tenants are cloned from; `manage.py migrate` keeps it migrated.
TENANT_TEMPLATE_SCHEMA = "tenant_template"
# How new schemas are made: "pool" (rename a pre-cloned spare, else clone), "clone", "migrate".
TENANT_PROVISIONING_STRATEGY = env.str("TENANT_PROVISIONING_STRATEGY", default="pool")
# Spare schemas kept cloned ahead of signups.
TENANT_SCHEMA_POOL_SIZE = env.int("TENANT_SCHEMA_POOL_SIZE", default=2)
TENANT_MIGRATION_EXECUTOR = env.str("TENANT_MIGRATION_EXECUTOR", default="standard")

SHARED_APPS = [
    # Our app first so that its `migrate` command (which also refreshes the template schema)
    # takes precedence over django-tenants' own.
    "shared_apps.tenants",
    "django_tenants",
    "shared_apps.users",
    "shared_apps.console",
    # Plans, subscriptions and usage: the platform's own, so public only.
    "billing",
    # Tasks waiting for the broker, whichever business queued them.
    "shared_apps.outbox",
    # Which business sent each SMS / WhatsApp message: routes the providers' delivery reports.
    "shared_apps.delivery_reports",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "djmoney",
    # The audit trail is kept in public (platform actions) as in every business's schema.
    "auditlog",
    "tenant_apps.audit",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "shared_apps.users",
    "rest_framework_simplejwt.token_blacklist",
    "tenant_apps.staff",
    "tenant_apps.catalog",
    "tenant_apps.inventory",
    "tenant_apps.purchasing",
    "tenant_apps.ledger",
    "tenant_apps.customers",
    "tenant_apps.payments",
    "tenant_apps.sales",
    "auditlog",
    "tenant_apps.audit",
    "tenant_apps.terminal",
    "tenant_apps.forecasting",
    "tenant_apps.notifications",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "shared_apps.tenants.middleware.TenantRoutingMiddleware",
    # NUL and control characters in the URL, oversized bodies, and the JSON error shape for
    # every error of the API (Django's own pages included, DEBUG or not).
    "saas_platform.api.request_guards.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files in production, where nothing else does.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the session user as the actor of audit entries; API credentials are added by the
    # DRF authentication classes (tenant_apps/audit/context.py).
    "tenant_apps.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saas_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "billing.context_processors.billing_banner",
            ],
        },
    },
]

WSGI_APPLICATION = "saas_platform.wsgi.application"

# --- Database -----------------------------------------------------------------------------------

if env.str("DATABASE_URL", default=""):
    _database = env.db_url("DATABASE_URL")
else:
    from saas_platform.embedded_db import embedded_database_config

    _database = embedded_database_config(BASE_DIR)
_database["ENGINE"] = "django_tenants.postgresql_backend"
_database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
_database["CONN_HEALTH_CHECKS"] = True
# Benchmarks run on a scratch database beside the real one.
if env.str("DATABASE_NAME_OVERRIDE", default=""):
    _database["NAME"] = env.str("DATABASE_NAME_OVERRIDE")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery -------------------------------------------------------------------------------

# Unset: a real Redis server started under .data/ (saas_platform/embedded_redis.py), so the
# cache, the Celery broker, beat and workers behave in development as in production.
REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL:
    from saas_platform.embedded_redis import embedded_redis_url

    REDIS_URL = embedded_redis_url(BASE_DIR)

# Keys carry the tenant's schema so that no tenant can ever read another's cache entries.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# The broker may be a Redis of its own (a cluster's); the results stay in REDIS_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# Billing's tasks have a queue of their own, so a slow billing run never delays the businesses'
# own work (and a worker can be given to billing alone: docs/cluster.md).
BILLING_TASK_QUEUE = env.str("BILLING_TASK_QUEUE", default="billing")
# Training forecasts takes minutes of CPU per business: a queue (and workers) of its own.
FORECASTING_TASK_QUEUE = env.str("FORECASTING_TASK_QUEUE", default="forecasting")
# Alerts, summaries, reminders and e-mails to people (docs/notifications.md).
NOTIFICATIONS_TASK_QUEUE = env.str("NOTIFICATIONS_TASK_QUEUE", default="notifications")
# Beat runs these once; each fans out one task per business (beat knows nothing of tenants).
CELERY_BEAT_SCHEDULE = {
    # Tasks that could not reach the broker when queued (shared_apps/outbox).
    "drain-outbox": {"task": "outbox.drain", "schedule": 5.0},
    "expire-reservations": {
        "task": "tenants.fan_out",
        "schedule": 60.0,
        "args": ["inventory.expire_reservations"],
    },
    "refresh-expiry-alerts": {
        "task": "tenants.fan_out",
        "schedule": 6 * 3600.0,
        "args": ["inventory.refresh_expiry_alerts"],
    },
    # Catches payments whose scheduled status query was lost (worker restart, broker flush).
    "query-overdue-payments": {
        "task": "tenants.fan_out",
        "schedule": 60.0,
        "args": ["payments.query_overdue"],
    },
    # Billing works in the public schema: one run queues a task per due subscription/invoice.
    "billing-run": {
        "task": "billing.run",
        "schedule": 3600.0,
        "options": {"queue": BILLING_TASK_QUEUE},
    },
    "billing-reconcile": {
        "task": "billing.reconcile",
        "schedule": 24 * 3600.0,
        "options": {"queue": BILLING_TASK_QUEUE},
    },
    # Each business's forecasts retrained at night (UTC), when the tills are quiet.
    "forecasting-nightly": {
        "task": "tenants.fan_out",
        "schedule": crontab(hour=1, minute=0),
        "args": ["forecasting.nightly"],
    },
    "billing-usage-snapshot": {
        "task": "tenants.fan_out",
        "schedule": 24 * 3600.0,
        "args": ["billing.snapshot_usage"],
    },
    # New low-stock and expiring-batch alerts, to the people who asked for them.
    "notify-stock-alerts": {
        "task": "tenants.fan_out",
        "schedule": 15 * 60.0,
        "args": ["notifications.stock_alerts"],
    },
    # Hourly: each business's task decides whether its local 09:00 has come (daily summary,
    # Monday's and the 1st's reports, credit reminders), once per local date.
    "notify-scheduled": {
        "task": "tenants.fan_out",
        "schedule": 3600.0,
        "args": ["notifications.scheduled"],
    },
}

# --- Payments -----------------------------------------------------------------------------------

# Seconds after a payment request before we first ask the provider for its status (a callback
# usually comes first); later queries back off (x2, at most 5 min).
PAYMENT_QUERY_AFTER = env.float("PAYMENT_QUERY_AFTER", default=30.0)
# Seconds after a payment request with no final answer before it shows as "unknown".
PAYMENT_UNKNOWN_AFTER = env.float("PAYMENT_UNKNOWN_AFTER", default=120.0)
# The local provider sandbox that demo businesses' provider accounts point at ("" = none).
PAYMENT_SANDBOX_URL = env.str("PAYMENT_SANDBOX_URL", default="")
# Hosts the server may call as a payment provider besides the providers' documented API hosts
# (and PAYMENT_SANDBOX_URL's host:port): the platform owner's list, never a business's.
# "host" = its default ports at public addresses only; "host:port" = that port, even at a
# private address (e.g. an egress proxy). See docs/payments.md, "Where the server may call".
PAYMENT_EXTRA_ALLOWED_HOSTS = env.list("PAYMENT_EXTRA_ALLOWED_HOSTS", default=[])
# Celery queue for payment status queries ("" = the default queue).
PAYMENT_TASK_QUEUE = env.str("PAYMENT_TASK_QUEUE", default="")

# --- Billing (dunning) ----------------------------------------------------------------------------

# Days after an invoice's first failed charge on which it is charged again (an e-mail each).
BILLING_RETRY_DAYS = [
    int(day) for day in env.list("BILLING_RETRY_DAYS", default=["1", "3", "5", "7"])
]
# Days past due after which the business is suspended (read-only, can pay), then cancelled.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=8)
BILLING_CANCEL_AFTER_DAYS = env.int("BILLING_CANCEL_AFTER_DAYS", default=30)
# Each request made with an API key is a billable call (usage event); off only to measure what
# metering costs (bench/billing.py).
BILLING_METER_API_CALLS = env.bool("BILLING_METER_API_CALLS", default=True)
# A charge attempt with no answer after this many seconds is asked again (same reference).
BILLING_PENDING_ATTEMPT_AFTER = env.int("BILLING_PENDING_ATTEMPT_AFTER", default=600)

# --- Billing gateways ---------------------------------------------------------------------------

# Where billing collects the platform's own fees (docs/billing-gateways.md). Set by the platform
# owner only: no business ever names a gateway host or key. Development and tests default to the
# local fakes' keys (devtools/billing_fakes); production must set real ones.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_duka_fake" if DEBUG else "")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_duka_fake" if DEBUG else "")
PAYSTACK_API_BASE = env.str("PAYSTACK_API_BASE", default="https://api.paystack.co")
PAYSTACK_SECRET_KEY = env.str(
    "PAYSTACK_SECRET_KEY", default="sk_test_duka_fake_paystack" if DEBUG else ""
)
# Seconds a call to Stripe or Paystack may take before it counts as a network error.
BILLING_GATEWAY_TIMEOUT = env.float("BILLING_GATEWAY_TIMEOUT", default=30.0)

# --- Notifications (docs/notifications.md) --------------------------------------------------------

# The SMS and WhatsApp providers are the platform's, set by the platform owner only: no business
# ever names a provider's address or key. Development and tests default to the local fakes'
# credentials (devtools/notification_fakes); production sets real ones.
SMS_API_BASE = env.str("SMS_API_BASE", default="https://api.africastalking.com")
SMS_USERNAME = env.str("SMS_USERNAME", default="sandbox" if DEBUG else "")
SMS_API_KEY = env.str("SMS_API_KEY", default="at_duka_fake_key" if DEBUG else "")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="")  # "" = the account's default sender
WHATSAPP_API_BASE = env.str("WHATSAPP_API_BASE", default="https://graph.facebook.com")
WHATSAPP_API_VERSION = env.str("WHATSAPP_API_VERSION", default="v21.0")
WHATSAPP_PHONE_NUMBER_ID = env.str(
    "WHATSAPP_PHONE_NUMBER_ID", default="100000000000001" if DEBUG else ""
)
WHATSAPP_TOKEN = env.str("WHATSAPP_TOKEN", default="wa_duka_fake_token" if DEBUG else "")
# An approved template with one body parameter ({{1}} = the message): WhatsApp only lets a
# business start a conversation with a template. "" = plain text messages (inside the 24 h window).
WHATSAPP_TEMPLATE = env.str("WHATSAPP_TEMPLATE", default="")
WHATSAPP_TEMPLATE_LANGUAGE = env.str("WHATSAPP_TEMPLATE_LANGUAGE", default="en")
# Delivery reports come to the root domain (docs/notifications.md, "Delivery reports"). Africa's
# Talking does not sign its callbacks: the callback URL set in its dashboard ends with this
# unguessable token. WhatsApp signs its webhooks with the Meta app's secret, and checks the URL
# with the verify token set beside it. Unset: every report is refused.
SMS_DELIVERY_REPORT_TOKEN = env.str(
    "SMS_DELIVERY_REPORT_TOKEN", default="at_duka_fake_report_token" if DEBUG else ""
)
WHATSAPP_APP_SECRET = env.str(
    "WHATSAPP_APP_SECRET", default="wa_duka_fake_app_secret" if DEBUG else ""
)
WHATSAPP_WEBHOOK_VERIFY_TOKEN = env.str(
    "WHATSAPP_WEBHOOK_VERIFY_TOKEN", default="wa_duka_fake_verify_token" if DEBUG else ""
)
# Seconds a call to the SMS or WhatsApp API may take.
NOTIFICATION_PROVIDER_TIMEOUT = env.float("NOTIFICATION_PROVIDER_TIMEOUT", default=15.0)
# A message claimed for sending this many seconds ago and never recorded is not sent again: its
# outcome is "unknown" (the process died between sending and recording).
NOTIFICATION_SENDING_LEASE = env.int("NOTIFICATION_SENDING_LEASE", default=20 * 60)
# At most one credit reminder per customer in this many days.
NOTIFICATION_CREDIT_REMINDER_DAYS = env.int("NOTIFICATION_CREDIT_REMINDER_DAYS", default=7)

# --- Auth ---------------------------------------------------------------------------------------

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One backend for every password login (page, API, console): Django's check behind the
# per-account and per-address backoff of shared_apps/users/lockout.py.
AUTHENTICATION_BACKENDS = ["shared_apps.users.backends.LockoutModelBackend"]
# Throttles per hour on what costs us or mails someone (429 with Retry-After when over):
# signups per client address and per owner e-mail (each makes a schema), password-reset
# requests per address and per e-mail (each sends an e-mail).
SIGNUP_PER_ADDRESS_PER_HOUR = env.int("SIGNUP_PER_ADDRESS_PER_HOUR", default=5)
SIGNUP_PER_EMAIL_PER_HOUR = env.int("SIGNUP_PER_EMAIL_PER_HOUR", default=3)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=10)
PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env.int("PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", default=3)
# Argon2id first: memory-hard, and about twice as fast here as Django's PBKDF2 default at a
# stronger setting (0.22 s against 0.38 s per hash), which matters at signup and login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Tests make hundreds of users; the real hasher would dominate their run time.
if env.bool("FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- API ----------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # JWT first: its WWW-Authenticate header makes unauthenticated requests a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenant_apps.staff.authentication.TenantJWTAuthentication",
        "tenant_apps.staff.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["saas_platform.api.permissions.HasAction"],
    "DEFAULT_THROTTLE_CLASSES": ["tenant_apps.staff.throttles.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON under the input limits of saas_platform/limits.py (depth, size, NUL).
    "DEFAULT_PARSER_CLASSES": ["saas_platform.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "saas_platform.api.schema.DukaAutoSchema",
    "EXCEPTION_HANDLER": "saas_platform.api.exception_handler.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "saas_platform.api.negotiation.FormatAwareNegotiation",
}

# Requests per minute for an API key without a limit of its own.
API_KEY_RATE_LIMIT_PER_MINUTE = env.int("API_KEY_RATE_LIMIT_PER_MINUTE", default=120)
# Proxies in front of the app that append to X-Forwarded-For (the ingress: 1). With 0 the
# header is ignored, since anyone could forge it to dodge the per-address login backoff.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
    "TOKEN_REFRESH_SERIALIZER": "tenant_apps.staff.tokens.TenantTokenRefreshSerializer",
}

REST_AUTH = {
    "USE_JWT": True,
    "JWT_AUTH_HTTPONLY": False,  # the refresh token comes back in the body for API clients
    "SESSION_LOGIN": False,
    "TOKEN_MODEL": None,
    "LOGIN_SERIALIZER": "tenant_apps.staff.api.auth.TenantLoginSerializer",
    "PASSWORD_CHANGE_SERIALIZER": "tenant_apps.staff.api.auth.TenantPasswordChangeSerializer",
    "JWT_TOKEN_CLAIMS_SERIALIZER": "tenant_apps.staff.tokens.TenantTokenObtainPairSerializer",
    "USER_DETAILS_SERIALIZER": "tenant_apps.staff.api.auth.UserDetailsSerializer",
    "OLD_PASSWORD_FIELD_ENABLED": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Duka API",
    "DESCRIPTION": "Multi-tenant point of sale: each business at its own subdomain.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc assets served by us, not a CDN: tills often sit on poor networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise load a validity badge from validator.swagger.io; ReDoc's page
    # (saas_platform/templates/api/redoc.html) drops drf-spectacular's Google Fonts.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several models have a field called "kind"; each choice set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "ProductKindEnum": "tenant_apps.catalog.models.ProductKind",
        "LocationKindEnum": "tenant_apps.inventory.models.LocationKind",
        "AlertKindEnum": "tenant_apps.inventory.models.AlertKind",
        "CustomerPaymentMethodEnum": "tenant_apps.customers.models.PaymentMethod",
        "SupplierPaymentMethodEnum": "tenant_apps.purchasing.models.PaymentMethod",
        "CreditKindEnum": "tenant_apps.customers.models.CreditKind",
        "LoyaltyReasonEnum": "tenant_apps.customers.models.LoyaltyReason",
        "CashMovementKindEnum": "tenant_apps.sales.models.CashMovementKind",
        "CouponKindEnum": "tenant_apps.sales.models.CouponKind",
        "SaleStatusEnum": "tenant_apps.sales.models.SaleStatus",
        "TenderStatusEnum": "tenant_apps.sales.models.TenderStatus",
        "ShiftStatusEnum": "tenant_apps.sales.models.ShiftStatus",
        "NotificationKindEnum": "tenant_apps.notifications.kinds.Kind",
        "NotificationChannelEnum": "tenant_apps.notifications.kinds.Channel",
        "NotificationStatusEnum": "tenant_apps.notifications.models.Status",
    },
}

# --- Internationalisation, static files ---------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Pages of a business's site (tenant_apps/terminal/urls.py); the console names its own.
LOGIN_URL = "terminal:login"
LOGIN_REDIRECT_URL = "terminal:home"
LOGOUT_REDIRECT_URL = "terminal:login"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend",
)

STORAGES = {
    # Each tenant's uploads live under MEDIA_ROOT/<schema>/, never in a shared folder.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# TLS ends at the ingress; it tells us the original scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # The stripe package logs every request and response at INFO: too chatty for a billing run.
    "loggers": {"pgserver": {"level": "WARNING"}, "stripe": {"level": "WARNING"}},
}
