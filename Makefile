# The only two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Development defaults; production sets DEBUG=false and a real SECRET_KEY.
export DEBUG ?= true
PORT ?= 8000
# The development platform owner, for the console at http://localhost:$(PORT)/console/;
# made by `migrate` (and so by `make run`), never by the test database set-up.
PLATFORM_OWNER_EMAIL ?= platform@duka.test
PLATFORM_OWNER_PASSWORD ?= platform-owner-pass-2026
migrate: export PLATFORM_OWNER_EMAIL := $(PLATFORM_OWNER_EMAIL)
migrate: export PLATFORM_OWNER_PASSWORD := $(PLATFORM_OWNER_PASSWORD)
# `make run` serves a fake of M-Pesa, Airtel, a card gateway and UPI on this port (docs/
# payments-sandbox.md), and points the demo business at it: sales complete with no network.
SANDBOX_PORT ?= 8099
run: export PAYMENT_SANDBOX_URL := http://127.0.0.1:$(SANDBOX_PORT)
# ...and fakes of Stripe and Paystack on this one (docs/billing-gateways.md): billing's gateways
# call them, and they post their signed webhooks back to the root domain.
BILLING_FAKES_PORT ?= 8098
run: export STRIPE_API_BASE := http://127.0.0.1:$(BILLING_FAKES_PORT)
run: export PAYSTACK_API_BASE := http://127.0.0.1:$(BILLING_FAKES_PORT)/paystack
run: export PLATFORM_URL_PORT := $(PORT)
# ...and fakes of the SMS (Africa's Talking-style) and WhatsApp Cloud APIs on this one
# (docs/notifications.md): alerts and reminders by SMS or WhatsApp go there and are printed.
NOTIFICATION_FAKES_PORT ?= 8097
run: export SMS_API_BASE := http://127.0.0.1:$(NOTIFICATION_FAKES_PORT)/africastalking
run: export WHATSAPP_API_BASE := http://127.0.0.1:$(NOTIFICATION_FAKES_PORT)/whatsapp
# They report each message's delivery back to the root domain, as the providers do: AT to a URL
# ending in the platform's token (the same value for the fakes and the server), WhatsApp signed.
SMS_DELIVERY_REPORT_TOKEN ?= at_duka_fake_report_token
run: export SMS_DELIVERY_REPORT_TOKEN := $(SMS_DELIVERY_REPORT_TOKEN)
DELIVERY_REPORTS_URL := http://localhost:$(PORT)/api/v1/notifications/delivery-reports

.PHONY: install browser run worker beat stop migrate seed test lint format bench clean

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	# --inexact keeps uv itself, which lives in the same environment.
	$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

install: $(VENV)/.installed

# The browser tests drive Debian's Chromium through Playwright's Python package; Playwright's
# own browser downloads are never used (tests/e2e/conftest.py points at this binary).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "Installing Chromium with apt (browser tests)..."; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium > /dev/null; }

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# Everything `make run` starts in the background, stopped by it when it ends (Ctrl-C).
CELERY := $(BIN)/celery -A saas_platform
# Every queue the platform uses (docs/cluster.md): a worker for all of them in development.
QUEUES ?= default,billing,forecasting,notifications
run: migrate
	@mkdir -p .data
	@# Background jobs of a script ignore Ctrl-C: the trap stops them, then the embedded servers.
	@pids=""; \
	  stop() { echo ""; echo "Stopping the worker, beat, payment sandbox and the fakes..."; \
	    kill $$pids 2>/dev/null; wait $$pids 2>/dev/null; \
	    $(BIN)/python -m saas_platform.embedded stop; }; \
	  trap stop EXIT; \
	  $(BIN)/python -m devtools.payments_sandbox --port $(SANDBOX_PORT) > .data/sandbox.log 2>&1 & pids="$$pids $$!"; \
	  $(BIN)/python -m devtools.billing_fakes --port $(BILLING_FAKES_PORT) \
	    --stripe-webhook http://localhost:$(PORT)/api/v1/billing/webhooks/stripe/ \
	    --paystack-webhook http://localhost:$(PORT)/api/v1/billing/webhooks/paystack/ \
	    > .data/billing-fakes.log 2>&1 & pids="$$pids $$!"; \
	  $(BIN)/python -m devtools.notification_fakes --port $(NOTIFICATION_FAKES_PORT) \
	    --sms-report-url $(DELIVERY_REPORTS_URL)/africastalking/$(SMS_DELIVERY_REPORT_TOKEN)/ \
	    --whatsapp-report-url $(DELIVERY_REPORTS_URL)/whatsapp/ \
	    > .data/notification-fakes.log 2>&1 & pids="$$pids $$!"; \
	  $(CELERY) worker -Q $(QUEUES) -l info > .data/worker.log 2>&1 & pids="$$pids $$!"; \
	  $(CELERY) beat -l info -s .data/celerybeat-schedule > .data/beat.log 2>&1 & pids="$$pids $$!"; \
	  sleep 1; \
	  $(BIN)/python manage.py seed_demo && \
	  $(BIN)/python -m devtools.billing_fakes.demo && \
	  echo "" && \
	  echo "  Public site:     http://localhost:$(PORT)" && \
	  echo "  Demo business:   http://demo.localhost:$(PORT)" && \
	  echo "  Console:         http://localhost:$(PORT)/console/  ($(PLATFORM_OWNER_EMAIL) / $(PLATFORM_OWNER_PASSWORD))" && \
	  echo "  Payment sandbox: $$PAYMENT_SANDBOX_URL (payer numbers ending 0 pay, 1 cancel, 2 answer late); log .data/sandbox.log" && \
	  echo "  Billing fakes:   Stripe $$STRIPE_API_BASE, Paystack $$PAYSTACK_API_BASE (card 4242 4242 4242 4242 pays); log .data/billing-fakes.log" && \
	  echo "  SMS/WhatsApp:    fakes at http://127.0.0.1:$(NOTIFICATION_FAKES_PORT) print every message and report its delivery (numbers ending 9 fail); log .data/notification-fakes.log" && \
	  echo "  Forecasts:       trained by the worker within a minute: http://demo.localhost:$(PORT)/forecasts/ (as the owner)" && \
	  echo "  Celery worker:   all queues, log .data/worker.log" && \
	  echo "  Celery beat:     periodic work, log .data/beat.log" && \
	  echo "  Database:        $${DATABASE_URL:-embedded PostgreSQL under .data/postgres}" && \
	  echo "  Redis:           $${REDIS_URL:-embedded Redis under .data/redis}" && \
	  echo "  Ctrl-C stops all of these, and the embedded servers." && \
	  echo "" && \
	  $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

# A Celery worker and beat on their own, e.g. for a cluster (docs/cluster.md).
worker: migrate
	$(CELERY) worker -Q $(QUEUES) -l info

beat: migrate
	$(CELERY) beat -l info -s .data/celerybeat-schedule

# Stops the embedded PostgreSQL and Redis that `make test` and other commands leave running.
stop: install
	$(BIN)/python -m saas_platform.embedded stop

# One test process per core (pytest-xdist); each has its own test database and Redis database.
TEST_WORKERS ?= auto
test: install browser
	FAST_PASSWORD_HASHER=true $(BIN)/pytest -n $(TEST_WORKERS) --durations=25 $(PYTEST_ARGS)
	@if [[ -z "$$DATABASE_URL" || -z "$$REDIS_URL" ]]; then \
	  echo "The embedded servers under .data/ are left running for the next command; 'make stop' stops them."; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	@# The API documents of both kinds of host must generate without a single warning.
	$(BIN)/python manage.py spectacular --urlconf saas_platform.urls_tenant --fail-on-warn --file /dev/null
	$(BIN)/python manage.py spectacular --urlconf saas_platform.urls_public --fail-on-warn --file /dev/null

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
