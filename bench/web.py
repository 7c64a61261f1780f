"""Benchmark: requests per second and p95 latency of the register page and of an API list
call over 100,000 incidents, beside a same-run baseline: a bare Django view returning the
same rows (no template, no permissions), served by the same server in the same process.

    .venv/bin/python bench/web.py                # 100,000 incidents
    .venv/bin/python bench/web.py --incidents 20000 --requests 200
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _setup(folder: Path, incidents: int) -> tuple[str, str]:
    """A register of `incidents` rows, a session cookie and an API token for a trainer."""
    os.environ["CIVHARM_DATA"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "civharm.settings"
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ROOT_URLCONF = "web_baseline_urls"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    from civharm.accounts.models import User
    from civharm.api.tokens import issue_token
    from civharm.demo import write_ucdp_rows
    from civharm.incidents.services.database import ensure_database
    from civharm.incidents.services.importing import import_file

    ensure_database()
    path = folder / "ged.csv"
    write_ucdp_rows(path, incidents, seed=3)
    started = time.perf_counter()
    import_file(path, "ucdp", actor="bench")
    print(f"register built: {incidents:,} incidents in {time.perf_counter() - started:.1f} s")
    user = User.objects.create_user("bench-trainer", password="x" * 20, role="trainer")
    client = Client()
    client.force_login(user)
    token = issue_token(user, issued_by="bench", by_administrator=True).secret
    return client.cookies["sessionid"].value, token


def _serve(port: int) -> None:
    import logging

    from waitress import serve

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" noise

    from civharm.wsgi import application

    serve(application, host="127.0.0.1", port=port, threads=4, _quiet=True)


def _measure(
    port: int, path: str, headers: dict[str, str], requests: int, clients: int
) -> dict[str, float]:
    def one(_n: int) -> float:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return time.perf_counter() - started

    for _ in range(5):  # warm-up
        one(0)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    return {
        "rps": requests / elapsed,
        "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000,
        "median_ms": statistics.median(latencies) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civharm-bench-web-") as tmp:
        session, token = _setup(Path(tmp), args.incidents)
        port = 18_765
        threading.Thread(target=_serve, args=(port,), daemon=True).start()
        time.sleep(1)
        cookie = {"Cookie": f"sessionid={session}", "Accept-Language": "fr"}
        cases = [
            ("baseline: bare Django view, same 50 rows", "/bench/baseline/", cookie),
            ("register page (50 rows, filters, count)", "/incidents/", cookie),
            (
                "API list call (limit 50)",
                "/api/incidents?limit=50",
                {"Authorization": f"Bearer {token}"},
            ),
        ]
        results = {
            label: _measure(port, path, headers, args.requests, args.clients)
            for label, path, headers in cases
        }
    base = results[cases[0][0]]["rps"]
    print(f"{args.incidents:,} incidents, {args.requests} requests a case, {args.clients} clients")
    for label, figures in results.items():
        print(
            f"  {label:45} {figures['rps']:7.1f} req/s  p95 {figures['p95_ms']:7.1f} ms  "
            f"median {figures['median_ms']:6.1f} ms  ({figures['rps'] / base:.2f}x baseline)"
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.exit(main())
