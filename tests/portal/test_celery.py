"""Celery: eager without Redis; with Redis, a real worker process answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.celery import app, ping

ROOT = Path(__file__).resolve().parents[2]


def test_task_runs_eagerly_without_redis(settings):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("Redis configured: tasks go to a worker")
    assert ping.delay("xin chào").get(timeout=1) == "xin chào"


@pytest.mark.celery_worker
def test_real_worker_round_trip_over_redis():
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        app.conf.task_always_eager = False
        result = ping.apply_async(args=["từ worker thật"])
        assert result.get(timeout=60) == "từ worker thật"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        time.sleep(0.1)
