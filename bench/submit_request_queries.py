"""Queries of the citizen's submit request (POST /ho-so/<id>/nop/), its after-commit work
included, through the Django test client (the whole middleware stack, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_4 REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python bench/submit_request_queries.py [N]

Uses ``bench/submit_bench.py``'s set-up (N citizens with complete drafts). Prints the
statements of one request, the mean and maximum number of queries, how many of them touch
the notifications tables (rendering and writing the messages in the request, or only the
outbox row) and the request's time in this process. With ``REDIS_URL`` the commit hands
work to Redis as in production; without it Celery is eager and the messages are sent
inline, as in the embedded mode.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from submit_bench import setup  # noqa: E402 - sets Django up


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"database: {connection.vendor}; Celery eager: {not settings.REDIS_URL}; requests: {n}")
    dossiers = setup(n)
    client = Client()
    counts, notification_counts, durations, cpu = [], [], [], []
    first: list[dict] = []
    for dossier in dossiers:
        client.force_login(dossier.citizen)
        url = reverse("applications:submit", kwargs={"public_id": dossier.public_id})
        connection.queries_log.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url)
        durations.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 302, response.status_code
        queries = captured.captured_queries
        counts.append(len(queries))
        notification_counts.append(sum("notifications_" in q["sql"] for q in queries))
        first = first or queries
    durations.sort()
    cpu.sort()
    print("statements of one request:", " ".join(q["sql"].split()[0] for q in first))
    print(
        f"submit request: mean {statistics.mean(counts):.1f} queries, max {max(counts)}; "
        f"on notifications tables: mean {statistics.mean(notification_counts):.1f}"
    )
    print(
        f"request in this process: p50 {durations[n // 2] * 1000:.1f} ms wall, "
        f"{cpu[n // 2] * 1000:.1f} ms CPU (Python side only; noisy on a shared machine)"
    )


if __name__ == "__main__":
    main()
