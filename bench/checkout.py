"""Checkout throughput and latency over HTTP, beside pgbench's TPC-B-like run on the same server.

One business made by signup on a scratch database, 1,000 products with 10,000 units each at the
store, one till per client (a shop has one till per cashier; the receipt number serialises a
till by design), each with a cashier who logs in for a JWT and opens a shift through the API.
The app is served by gunicorn with DEBUG off; a few server settings are tried briefly at 8
clients and the best is kept. Load comes from worker processes running one thread and one
keep-alive ``httpx.Client`` per client; each request is a random cart of 1-5 products paid in
cash. At 1, 8 and 32 clients it warms up, then counts the 201s of a fixed window; pgbench
(``-i -s 8``, default TPC-B-like script) runs on a second scratch database of the same server
at the same client counts for the same time. Goal at 8 clients: at least 25% of pgbench's tps
and p99 under 100 ms.

The machine may be shared, so beside the rates it prints what does not depend on the neighbours:
CPU per checkout (gunicorn workers and the app's PostgreSQL backends, read from /proc) and per
pgbench transaction, and what the app's backends were doing (pg_stat_activity samples).

Options (environment): BENCH_DURATION (s per level, 15), BENCH_WARMUP (s, 5), BENCH_LEVELS
("1,8,32"), BENCH_GENERATORS (load-generator processes, 2), BENCH_TRIAL (s per server setting
tried, 5), BENCH_SERVERS (e.g. "sync:5:1,gthread:3:4"; kind:workers:threads), BENCH_SQL=1 (print
the SQL of one checkout), BENCH_PROFILE=1 (split the time of in-process checkouts by phase with
cProfile; "full" adds the top functions).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib.figures import percentile
from lib.scratch import ROOT, scratch_django

DATABASE = "duka_bench_checkout"
PGBENCH_DATABASE = "duka_bench_checkout_pgbench"
SLUG = "bench-checkout"
PRODUCTS = 1_000
UNITS = 10_000
PASSWORD = "Correct-Horse-Battery-42"  # noqa: S105 - a throwaway scratch business
SECRET_KEY = "bench-checkout-" + "x" * 40
DURATION = float(os.environ.get("BENCH_DURATION", "15"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))
LEVELS = [int(n) for n in os.environ.get("BENCH_LEVELS", "1,8,32").split(",")]
GENERATORS = int(os.environ.get("BENCH_GENERATORS", "2"))
TRIAL = float(os.environ.get("BENCH_TRIAL", "5"))
# Seconds of busy traffic after each server start, before anything is measured.
SERVER_WARMUP = float(os.environ.get("BENCH_SERVER_WARMUP", "6"))
CORES = os.cpu_count() or 1
SERVERS = os.environ.get(
    "BENCH_SERVERS", f"sync:{2 * CORES + 1}:1,gthread:{CORES + 1}:4,gthread:{2 * CORES + 1}:2"
)
GOAL_CLIENTS, GOAL_RATIO, GOAL_P99_MS = 8, 0.25, 100.0


@dataclass(frozen=True)
class Server:
    kind: str
    workers: int
    threads: int

    @property
    def label(self) -> str:
        if self.kind == "sync":
            return f"{self.workers} sync workers"
        return f"{self.workers} workers x {self.threads} threads (gthread)"


@dataclass
class Level:
    clients: int
    rate: float
    p50: float
    p99: float
    errors: dict[str, int]
    generator_cpu: float  # share of one core used by the load generator
    machine_busy: float  # share of all cores busy during the window
    load: tuple[float, float, float]
    # What the app's busy PostgreSQL backends were doing, as shares of samples.
    waits: dict[str, float]
    active: float  # mean number of the app's backends in a statement or a transaction
    # CPU ms per counted checkout: gunicorn workers, and the app's PostgreSQL backends.
    app_cpu_ms: float
    db_cpu_ms: float


@dataclass(frozen=True)
class PgbenchResult:
    tps: float
    latency_ms: float
    # CPU ms per transaction: pgbench's own client, and its PostgreSQL backends.
    client_cpu_ms: float
    db_cpu_ms: float


# --- the load generator (runs in its own processes; imports no Django) ------------------------


def _client_loop(
    base: str,
    host: str,
    path: str,
    token: str,
    register: int,
    products: list[int],
    seed: int,
    measure_from: float,
    measure_to: float,
    out: list[tuple[float, int]],
    errors: dict[str, int],
) -> None:
    import httpx

    rng = random.Random(seed)
    headers = {"Host": host, "Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        while True:
            cart = rng.sample(products, rng.randint(1, 5))
            body = {
                "uuid": str(uuid.uuid4()),
                "register": register,
                "lines": [{"product": p, "quantity": "1"} for p in cart],
                "tenders": [{"method": "cash", "amount": "100000"}],
            }
            started = time.time()
            if started >= measure_to:
                return
            tick = time.perf_counter()
            response = client.post(path, json=body)
            elapsed = (time.perf_counter() - tick) * 1000
            ended = time.time()
            if started >= measure_from and ended <= measure_to:
                out.append((elapsed, response.status_code))
                if response.status_code != 201:
                    key = f"{response.status_code} {response.text[:200]}"
                    errors[key] = errors.get(key, 0) + 1


def generator_process(job: dict[str, Any]) -> dict[str, Any]:
    import threading

    out: list[tuple[float, int]] = []
    errors: dict[str, int] = {}
    delay = job["start_at"] - time.time()
    if delay > 0:
        time.sleep(delay)
    measure_from = job["start_at"] + job["warmup"]
    measure_to = measure_from + job["duration"]
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(
                job["base"],
                job["host"],
                job["path"],
                token,
                register,
                job["products"],
                seed,
                measure_from,
                measure_to,
                out,
                errors,
            ),
        )
        for token, register, seed in job["clients"]
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measure_from - time.time()))
    cpu_before = os.times()
    cpu_at_start = time.time()
    for thread in threads:
        thread.join()
    cpu_after = os.times()
    used = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    return {
        "samples": out,
        "errors": errors,
        "cpu": used / max(1e-9, time.time() - cpu_at_start),
    }


def _cpu_counters() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process so far, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if ppid == parent:
                found.append(int(entry))
    return found


def backend_pids(sampler: Any, database: str) -> list[int]:
    rows = sampler.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'",
        [database],
    ).fetchall()
    return [int(row[0]) for row in rows]


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: cpu for pid in pids if (cpu := process_cpu(pid)) is not None}


def cpu_spent(before: dict[int, float]) -> float:
    """CPU seconds the processes of ``before`` used since; the worker or backend that went away
    in between is not counted (persistent connections and workers make that rare)."""
    after = cpu_of(list(before))
    return sum(after[pid] - before[pid] for pid in after)


def sample_backends(sampler: Any, until: float) -> tuple[dict[str, float], float, float]:
    """Polls pg_stat_activity for the app's database every 100 ms until ``until``: what its
    busy backends are doing, how many are busy, and the CPU seconds its backends used. Django
    replaces a connection older than CONN_MAX_AGE between requests, so backends come and go
    within the window; each counts from when it is first seen to when it is last seen."""
    counts: dict[str, int] = {}
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    polls = 0
    while True:
        rows = sampler.execute(
            "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            [DATABASE],
        ).fetchall()
        for pid, cpu in cpu_of([row[0] for row in rows]).items():
            first.setdefault(pid, cpu)
            last[pid] = cpu
        if time.time() >= until:
            break
        polls += 1
        for _, state, kind, event in rows:
            if state == "idle" or state is None:
                continue
            if state.startswith("idle in transaction"):
                key = "in transaction, app's turn"
            else:
                key = f"{kind}:{event}" if kind else "CPU"
            counts[key] = counts.get(key, 0) + 1
        time.sleep(max(0.0, min(0.1, until - time.time())))
    total = sum(counts.values())
    shares = {k: n / total for k, n in sorted(counts.items(), key=lambda kv: -kv[1])}
    return shares, total / max(1, polls), sum(last[pid] - first[pid] for pid in last)


def run_level(
    pool: Any,
    sampler: Any,
    server_pid: int,
    base: str,
    host: str,
    clients: list[tuple[str, int]],
    products: list[int],
    warmup: float,
    duration: float,
) -> Level:
    from tests.support.urls import tenant_path

    count = len(clients)
    procs = max(1, min(GENERATORS, count))
    start_at = time.time() + 1.5
    jobs = [
        {
            "base": base,
            "host": host,
            "path": tenant_path("sales:sale-checkout"),
            "products": products,
            "start_at": start_at,
            "warmup": warmup,
            "duration": duration,
            "clients": [
                (token, register, hash((count, index)) & 0xFFFF)
                for index, (token, register) in enumerate(clients)
                if index % procs == p
            ],
        }
        for p in range(procs)
    ]
    load = os.getloadavg()
    async_result = pool.map_async(generator_process, jobs)
    time.sleep(max(0.0, start_at + warmup - time.time()))
    total_before, idle_before = _cpu_counters()
    app_before = cpu_of(child_pids(server_pid))
    waits, active, db_seconds = sample_backends(sampler, time.time() + duration)
    app_seconds = cpu_spent(app_before)
    total_after, idle_after = _cpu_counters()
    results = async_result.get()
    latencies = [ms for r in results for ms, status in r["samples"] if status == 201]
    errors: dict[str, int] = {}
    for r in results:
        for key, n in r["errors"].items():
            errors[key] = errors.get(key, 0) + n
    busy = 1 - (idle_after - idle_before) / max(1, total_after - total_before)
    done = max(1, len(latencies))
    return Level(
        clients=count,
        rate=len(latencies) / duration,
        p50=percentile(latencies, 0.5) if latencies else float("nan"),
        p99=percentile(latencies, 0.99) if latencies else float("nan"),
        errors=errors,
        generator_cpu=sum(r["cpu"] for r in results),
        machine_busy=busy,
        load=load,
        waits=waits,
        active=active,
        app_cpu_ms=app_seconds / done * 1000,
        db_cpu_ms=db_seconds / done * 1000,
    )


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_NAME_OVERRIDE": DATABASE,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        # WhiteNoise warns once per worker that no static files were collected; APIs need none.
        "PYTHONWARNINGS": "ignore:No directory at",
        # Long enough for the whole run; a till refreshes its token in real life.
        "JWT_ACCESS_MINUTES": "240",
    }
    env.pop("FAST_PASSWORD_HASHER", None)
    return env


# The app is loaded in the master before the workers fork (--preload), views included, as a
# production server would be configured; otherwise each worker's first requests pay for
# imports (about a second each here) and a short trial measures cold workers.
GUNICORN_CONFIG = """
def when_ready(server):
    from django.urls import get_resolver

    for urlconf in ("saas_platform.urls_tenant", "saas_platform.urls_public"):
        get_resolver(urlconf).url_patterns
"""


def start_server(server: Server, port: int) -> subprocess.Popen[bytes]:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    config = Path(f"/tmp/{DATABASE}-gunicorn.conf.py")  # noqa: S108 - scratch, bench-only
    config.write_text(GUNICORN_CONFIG)
    args = [
        gunicorn,
        "saas_platform.wsgi",
        "--config",
        str(config),
        "--preload",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(server.workers),
        "--worker-class",
        server.kind,
        "--log-level",
        "warning",
        "--backlog",
        "256",
    ]
    if server.kind == "gthread":
        args += ["--threads", str(server.threads)]
    process = subprocess.Popen(args, cwd=ROOT, env=server_env())  # noqa: S603
    import httpx

    probe = f"http://127.0.0.1:{port}/healthz"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            if httpx.get(probe, headers={"Host": "localhost"}, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- pgbench ----------------------------------------------------------------------------------


def pgbench_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, "PGHOST": str(db.get("HOST") or "127.0.0.1")}
    env["PGPORT"] = str(db.get("PORT") or 5432)
    if db.get("USER"):
        env["PGUSER"] = str(db["USER"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pgbench_binary() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    raise RuntimeError("pgbench not found; install postgresql-client")


def pgbench_run(env: dict[str, str], sampler: Any, clients: int, duration: float) -> PgbenchResult:
    """TPC-B-like tps (without initial connection time), average latency, and CPU per
    transaction of pgbench's client and of its backends (each backend from when first seen)."""
    import resource

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(  # noqa: S603
        [
            pgbench_binary(),
            "-c",
            str(clients),
            "-j",
            str(min(2, clients)),
            "-T",
            str(round(duration)),
            PGBENCH_DATABASE,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    while process.poll() is None:
        for pid, cpu in cpu_of(backend_pids(sampler, PGBENCH_DATABASE)).items():
            first.setdefault(pid, cpu)
            last[pid] = cpu
        time.sleep(0.2)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"pgbench failed:\n{stdout}\n{stderr}")
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_seconds = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", stdout)
    processed = re.search(r"number of transactions actually processed: (\d+)", stdout)
    if tps is None or processed is None:
        raise RuntimeError(f"unexpected pgbench output:\n{stdout}\n{stderr}")
    transactions = max(1, int(processed.group(1)))
    return PgbenchResult(
        tps=float(tps.group(1)),
        latency_ms=float(latency.group(1)) if latency else float("nan"),
        client_cpu_ms=client_seconds / transactions * 1000,
        db_cpu_ms=sum(last[pid] - first[pid] for pid in last) / transactions * 1000,
    )


# --- the business -----------------------------------------------------------------------------


def make_business(tills: int) -> dict[str, Any]:
    """Signup, products with stock, cashiers; returns what the clients need."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_tenants.utils import tenant_context
    from lib.catalog import products_create
    from moneyed import Money

    from shared_apps.tenants.services import tenant_domain_for, tenant_signup
    from shared_apps.users.models import Role, User
    from tenant_apps.inventory.models import Location, MovementReason
    from tenant_apps.inventory.stock import stock_receive
    from tests.support.billing import put_on_plan
    from tests.support.tenants import signup_data

    tenant = tenant_signup(
        data=signup_data(slug=SLUG, owner_email="owner@bench.example.com", password=PASSWORD),
        strategy="clone",
    )
    put_on_plan(tenant, "scale")  # the trial's Starter allows 3 tills and 5 staff; this has 32
    rng = random.Random(11)
    with tenant_context(tenant):
        products = products_create(range(PRODUCTS), rng=rng, currency=tenant.currency, sku_digits=5)
        store = Location.objects.get(code="STORE")
        for product in products:
            stock_receive(
                product=product,
                location=store,
                quantity=Decimal(UNITS),
                unit_cost=Money(Decimal(5), tenant.currency),
                reason=MovementReason.RECEIPT,
                reference="BENCH",
            )
        # One hash for all cashiers: the bench need not pay for 32 Argon2 runs to make them.
        hashed = make_password(PASSWORD)
        cashiers = []
        for n in range(tills):
            user = User(
                email=f"cashier{n}@bench.example.com",
                full_name=f"Cashier {n}",
                role=Role.CASHIER,
            )
            user.password = hashed
            cashiers.append(user)
        User.objects.bulk_create(cashiers)
        with connection.cursor() as cursor:
            for table in ("catalog_product", "inventory_stocklevel", "inventory_batch"):
                cursor.execute(f"ANALYZE {table}")
        return {
            "host": tenant_domain_for(tenant.slug),
            "owner": tenant.owner_email,
            "store": store.pk,
            "products": [p.pk for p in products],
            "cashiers": [c.email for c in cashiers],
            "schema": tenant.schema_name,
        }


def open_tills(base: str, shop: dict[str, Any]) -> list[tuple[str, int]]:
    """Through the API, as a shop would: the owner adds tills; each cashier logs in and opens a
    shift on their own till. Returns (access token, till id) per cashier."""
    import httpx

    from tests.support.urls import tenant_path

    with httpx.Client(base_url=base, headers={"Host": shop["host"]}, timeout=60) as http:

        def login(email: str) -> str:
            response = http.post(
                tenant_path("staff:auth-login"), json={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            return str(response.json()["access"])

        owner = {"Authorization": f"Bearer {login(shop['owner'])}"}
        registers = tenant_path("sales:register-list")
        existing = http.get(registers, headers=owner).json()["results"]
        tills = [int(r["id"]) for r in existing]
        while len(tills) < len(shop["cashiers"]):
            n = len(tills) + 1
            response = http.post(
                registers,
                json={
                    "code": f"TILL{n}",
                    "name": f"Till {n}",
                    "location": shop["store"],
                    "receipt_prefix": f"T{n}",
                },
                headers=owner,
            )
            assert response.status_code == 201, response.text
            tills.append(int(response.json()["id"]))
        clients = []
        for email, till in zip(shop["cashiers"], tills, strict=False):
            token = login(email)
            response = http.post(
                tenant_path("sales:shift-list", register_id=till),
                json={"opening_float": "1000"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
            clients.append((token, till))
        return clients


def queries_per_checkout(shop: dict[str, Any], token: str, till: int) -> list[str]:
    """The SQL of one checkout, made in-process through the same view."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.support.urls import tenant_path

    checkout = tenant_path("sales:sale-checkout")
    client = Client(HTTP_HOST=shop["host"], HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "uuid": str(uuid.uuid4()),
        "register": till,
        "lines": [{"product": p, "quantity": "1"} for p in shop["products"][:3]],
        "tenders": [{"method": "cash", "amount": "100000"}],
    }
    # A first request warms the connection (search_path, caches) so the count is the steady one.
    client.post(
        checkout,
        {**body, "uuid": str(uuid.uuid4())},
        content_type="application/json",
    )
    with CaptureQueriesContext(connection) as captured:
        response = client.post(checkout, body, content_type="application/json")
    assert response.status_code == 201, response.content
    return [q["sql"] for q in captured.captured_queries]


# Where one checkout's time goes: (label, file suffix, function) read from cProfile's
# cumulative times. Nested rows are indented; a parent includes its children.
PHASES = (
    ("whole request (Django handler)", "django/core/handlers/base.py", "get_response"),
    ("  tenant routing middleware", "shared_apps/tenants/middleware.py", "process_request"),
    ("  JWT authentication", "tenant_apps/staff/authentication.py", "authenticate"),
    ("  CheckoutApi.post", "tenant_apps/sales/api/checkout.py", "post"),
    ("    input validation (_nested)", "tenant_apps/sales/api/checkout.py", "_nested"),
    ("    sale_checkout", "tenant_apps/sales/services/checkout.py", "sale_checkout"),
    ("      cart_price", "tenant_apps/sales/pricing/cart.py", "cart_price"),
    ("        _products", "tenant_apps/sales/pricing/cart.py", "_products"),
    ("        price_cart", "tenant_apps/sales/pricing/amounts.py", "price_cart"),
    ("      _sale_row (INSERT sale)", "tenant_apps/sales/services/checkout.py", "_sale_row"),
    ("      sale_tenders_take", "tenant_apps/sales/services/tenders.py", "sale_tenders_take"),
    ("      sale_stock_take", "tenant_apps/sales/services/completion.py", "sale_stock_take"),
    ("        stock_alerts_refresh", "tenant_apps/inventory/alerts.py", "stock_alerts_refresh"),
    ("      sale_finish", "tenant_apps/sales/services/completion.py", "sale_finish"),
    ("        sale_posted (ledger)", "tenant_apps/ledger/events.py", "sale_posted"),
    ("          auditlog log_create", "auditlog/receivers.py", "log_create"),
    (
        "        _next_receipt_number",
        "tenant_apps/sales/services/completion.py",
        "_next_receipt_number",
    ),
    ("      COMMIT", "django/db/backends/base/base.py", "commit"),
    ("    sale_detail (re-read)", "tenant_apps/sales/selectors.py", "sale_detail"),
    ("    sale_data (response)", "tenant_apps/sales/api/serializers.py", "sale_data"),
    ("waiting on PostgreSQL (psycopg wait)", "psycopg/connection.py", "wait"),
    ("SQL compilation (ORM as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
)


def profile_checkouts(shop: dict[str, Any], token: str, till: int, count: int = 200) -> None:
    """Times ``count`` in-process checkouts, then profiles as many and splits the time."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.test import Client

    from tests.support.urls import tenant_path

    settings.DEBUG = False
    checkout = tenant_path("sales:sale-checkout")
    client = Client(HTTP_HOST=shop["host"], HTTP_AUTHORIZATION=f"Bearer {token}")
    rng = random.Random(5)

    def one() -> None:
        body = {
            "uuid": str(uuid.uuid4()),
            "register": till,
            "lines": [
                {"product": p, "quantity": "1"}
                for p in rng.sample(shop["products"], rng.randint(1, 5))
            ],
            "tenders": [{"method": "cash", "amount": "100000"}],
        }
        response = client.post(checkout, body, content_type="application/json")
        assert response.status_code == 201, response.content

    for _ in range(20):
        one()
    timings = []
    cpu = time.process_time()
    for _ in range(count):
        tick = time.perf_counter()
        one()
        timings.append((time.perf_counter() - tick) * 1000)
    cpu_ms = (time.process_time() - cpu) / count * 1000
    print(
        f"\nin-process, one client, no profiler: {count} checkouts, p50 "
        f"{percentile(timings, 0.5):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms; "
        f"Python CPU {cpu_ms:.1f} ms per checkout (the rest is waiting on PostgreSQL)"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        one()
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = next(
        (ct for (f, _, fn), (_, _, _, ct, _) in raw.items() if f.endswith(PHASES[0][1])
         and fn == PHASES[0][2]),
        1.0,
    )  # fmt: skip
    print(f"profile of {count} more (cProfile inflates Python time; shares are what count):")
    print(f"  {'phase':<44} {'ms/checkout':>11} {'share':>6}")
    for label, suffix, name in PHASES:
        seconds = sum(
            ct for (f, _, fn), (_, _, _, ct, _) in raw.items() if f.endswith(suffix) and fn == name
        )
        print(f"  {label:<44} {seconds / count * 1000:>11.2f} {seconds / total:>6.0%}")
    if os.environ.get("BENCH_PROFILE") == "full":
        stats.sort_stats("tottime").print_stats(30)


# --- main -------------------------------------------------------------------------------------


def database_facts() -> dict[str, str]:
    from django.db import connection

    facts = {}
    with connection.cursor() as cursor:
        for name in (
            "server_version",
            "synchronous_commit",
            "fsync",
            "shared_buffers",
            "max_connections",
        ):
            cursor.execute(f"SHOW {name}")
            row = cursor.fetchone()
            facts[name] = str(row[0]) if row else "?"
    return facts


def main() -> None:
    import logging
    import warnings

    logging.getLogger("httpx").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["SECRET_KEY"] = SECRET_KEY
    # No spare schemas: the bench's one signup should not leave a refill queued.
    os.environ["TENANT_SCHEMA_POOL_SIZE"] = "0"
    servers = [
        Server(kind, int(workers), int(threads))
        for kind, workers, threads in (s.split(":") for s in SERVERS.split(","))
    ]
    with scratch_django(DATABASE):
        import psycopg
        from django.conf import settings
        from django.db import connection

        db = settings.DATABASES["default"]
        facts = database_facts()
        started = time.perf_counter()
        shop = make_business(max(LEVELS))
        print(
            f"business made by signup; {PRODUCTS:,} products x {UNITS:,} units at the store, "
            f"{max(LEVELS)} cashiers, in {time.perf_counter() - started:.1f} s"
        )

        def admin(sql: str) -> None:
            with connection._nodb_cursor() as cursor:
                cursor.execute(sql)

        admin(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{PGBENCH_DATABASE}"')
        pg_env = pgbench_env(db)
        subprocess.run(  # noqa: S603
            [pgbench_binary(), "-i", "-s", "8", "-q", PGBENCH_DATABASE],
            env=pg_env,
            capture_output=True,
            check=True,
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        context = multiprocessing.get_context("spawn")
        process = None
        sampler = psycopg.connect(
            dbname="postgres",
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            autocommit=True,
        )
        try:
            with context.Pool(max(1, min(GENERATORS, max(LEVELS)))) as pool:

                def warm(server: Server, pid: int) -> None:
                    # Enough concurrent carts that every worker and thread serves some.
                    busy = clients[: max(GOAL_CLIENTS, 2 * server.workers * server.threads)]
                    run_level(pool, sampler, pid, base, shop["host"], busy, shop["products"],
                              0.0, SERVER_WARMUP)  # fmt: skip

                process = start_server(servers[0], port)
                clients = open_tills(base, shop)
                warm(servers[0], process.pid)
                trials: list[tuple[Server, Level]] = []
                chosen = servers[0]
                if len(servers) > 1:
                    print(
                        f"\nserver settings tried at {GOAL_CLIENTS} clients, "
                        f"{TRIAL:.0f} s each after {SERVER_WARMUP:.0f} s of warm-up traffic "
                        "and 2 s more:"
                    )
                    for server in servers:
                        if process is None:
                            process = start_server(server, port)
                            warm(server, process.pid)
                        trial = run_level(
                            pool,
                            sampler,
                            process.pid,
                            base,
                            shop["host"],
                            clients[:GOAL_CLIENTS],
                            shop["products"],
                            2.0,
                            TRIAL,
                        )
                        print(
                            f"  {server.label:<40} {trial.rate:7.1f}/s  "
                            f"p50 {trial.p50:6.1f} ms  p99 {trial.p99:6.1f} ms"
                        )
                        trials.append((server, trial))
                        stop_server(process)
                        process = None
                    chosen = max(trials, key=lambda t: t[1].rate)[0]
                    process = start_server(chosen, port)
                    warm(chosen, process.pid)
                levels = []
                pgbench: dict[int, PgbenchResult] = {}
                for count in LEVELS:
                    levels.append(
                        run_level(
                            pool,
                            sampler,
                            process.pid,
                            base,
                            shop["host"],
                            clients[:count],
                            shop["products"],
                            WARMUP,
                            DURATION,
                        )
                    )
                    pg_load = os.getloadavg()
                    pgbench[count] = pgbench_run(pg_env, sampler, count, DURATION)
                    print(
                        f"  level {count:>2}: load before checkout {_load(levels[-1].load)}, "
                        f"before pgbench {_load(pg_load)}"
                    )
        finally:
            sampler.close()
            if process is not None:
                stop_server(process)
            admin(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)')

        sql = queries_per_checkout(shop, clients[0][0], clients[0][1])
        report(facts, chosen, levels, pgbench, len(sql))
        if os.environ.get("BENCH_SQL"):
            print("\nSQL of one checkout (3 lines, cash):")
            for statement in sql:
                print("  " + statement[:220])
        if os.environ.get("BENCH_PROFILE"):
            profile_checkouts(shop, clients[0][0], clients[0][1])


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in load)


def report(
    facts: dict[str, str],
    server: Server,
    levels: list[Level],
    pgbench: dict[int, PgbenchResult],
    queries: int,
) -> None:
    print()
    print(
        f"environment: {CORES} cores; gunicorn {server.label}, DEBUG=false; PostgreSQL "
        f"{facts['server_version']}, synchronous_commit={facts['synchronous_commit']}, "
        f"fsync={facts['fsync']}, shared_buffers={facts['shared_buffers']}"
    )
    print(
        f"load generator: {GENERATORS} process(es), one thread + keep-alive httpx client per "
        "client, on the same machine (it competes with gunicorn and PostgreSQL for the "
        f"{CORES} cores; so does pgbench's own client)"
    )
    print(
        f"each level: {WARMUP:.0f} s warm-up, then {DURATION:.0f} s counted; carts of 1-5 "
        f"random products of {PRODUCTS:,}, cash; one till per client; "
        f"{queries} SQL statements per checkout (3 lines, in-process count)\n"
    )
    header = (
        f"{'clients':>7} {'checkouts/s':>12} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'pgbench tps':>12} {'ratio':>7} {'gen cpu':>8} {'cpu busy':>9} {'load 1m':>8}"
    )
    print(header)
    for level in levels:
        tps = pgbench[level.clients].tps
        print(
            f"{level.clients:>7} {level.rate:>12.1f} {level.p50:>8.1f} {level.p99:>8.1f} "
            f"{tps:>12.1f} {level.rate / tps:>7.3f} {level.generator_cpu:>7.0%} "
            f"{level.machine_busy:>8.0%} {level.load[0]:>8.2f}"
        )
    print(
        "(gen cpu: the load generator's CPU as a share of one core; cpu busy: all cores, "
        "whole machine, during the counted window; pgbench latency average: "
        + ", ".join(f"{c} clients {r.latency_ms:.1f} ms" for c, r in pgbench.items())
        + ")"
    )
    print("\nCPU per transaction, ms of one core (does not depend on what else the machine runs):")
    print(
        f"{'clients':>7} {'checkout: app':>14} {'+ PostgreSQL':>13} {'= total':>8}   "
        f"{'pgbench: client':>16} {'+ PostgreSQL':>13} {'= total':>8} {'cost ratio':>11}"
    )
    for level in levels:
        pg = pgbench[level.clients]
        ours = level.app_cpu_ms + level.db_cpu_ms
        theirs = pg.client_cpu_ms + pg.db_cpu_ms
        print(
            f"{level.clients:>7} {level.app_cpu_ms:>14.1f} {level.db_cpu_ms:>13.1f} "
            f"{ours:>8.1f}   {pg.client_cpu_ms:>16.2f} {pg.db_cpu_ms:>13.2f} {theirs:>8.2f} "
            f"{theirs / ours if ours else float('nan'):>11.3f}"
        )
    print(
        "(cost ratio = pgbench's CPU per transaction / checkout's: the throughput ratio both "
        f"would reach if CPU-bound on the same cores; at that cost {CORES} idle cores would "
        "serve about "
        + ", ".join(
            f"{CORES * 1000 / (lv.app_cpu_ms + lv.db_cpu_ms):.0f}/s at {lv.clients}"
            for lv in levels
            if lv.app_cpu_ms + lv.db_cpu_ms
        )
        + " clients, before the load generator's share)"
    )
    print(
        "\nthe app's busy PostgreSQL backends during the counted window (mean number; share of "
        "samples: a wait event, CPU = running a statement, app's turn = idle in transaction)"
    )
    for level in levels:
        waits = ", ".join(f"{k} {v:.0%}" for k, v in list(level.waits.items())[:5])
        print(f"  {level.clients:>2} clients: {level.active:4.1f} busy; {waits}")
    failures = {k: v for level in levels for k, v in level.errors.items()}
    if failures:
        print("\nnon-201 answers:")
        for key, n in failures.items():
            print(f"  {n} x {key}")
    else:
        print("\nnon-201 answers: none")
    goal = next((lv for lv in levels if lv.clients == GOAL_CLIENTS), None)
    if goal is not None:
        ratio = goal.rate / pgbench[GOAL_CLIENTS].tps
        met = ratio >= GOAL_RATIO and goal.p99 < GOAL_P99_MS
        print(
            f"goal at {GOAL_CLIENTS} clients (ratio >= {GOAL_RATIO}, p99 < {GOAL_P99_MS:.0f} "
            f"ms): ratio {ratio:.3f}, p99 {goal.p99:.1f} ms -> "
            f"{'met' if met else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
