from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.notifications import sms


@pytest.fixture(autouse=True)
def _eager_unless_real_worker(request):
    """Unit tests send inline in both modes; only tests marked celery_worker use Redis and a
    real worker process."""
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = not request.node.get_closest_marker("celery_worker")
    yield
    app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class FakeBrandnameServer:
    """A brandname SMS gateway on 127.0.0.1: answers from a script, records requests."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.accepted: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                owner.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "json": body})
                status, answer = owner.script.pop(0) if owner.script else (200, {"code": "00"})
                if status == 200 and answer.get("code") == "00":
                    # Like the real gateways: the same request id is accepted only once.
                    if any(a["request_id"] == body["request_id"] for a in owner.accepted):
                        answer = {"code": "00", "message_id": "dup", "description": "duplicate"}
                    else:
                        owner.accepted.append(body)
                        answer = {"code": "00", "message_id": f"MSG{len(owner.accepted)}", **answer}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def brandname(settings):
    with FakeBrandnameServer() as server:
        settings.SMS_BACKEND = "portal.notifications.sms.BrandnameHttpBackend"
        settings.SMS_API_URL = server.url
        settings.SMS_API_KEY = "test-key-123"
        settings.SMS_BRANDNAME = "UBND-BINHAN"
        settings.SMS_TIMEOUT = 5
        yield server


@pytest.fixture
def eager_retries():
    """Celery re-applies an eager retry without ``throw``, so a propagating setting would
    stop the chain at the first retry; a worker has no such setting."""
    from portal.celery import app

    propagates, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.fixture
def not_eager():
    """Celery as with Redis: tasks go to the broker (the in-memory one in the tests)."""
    from portal.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield
    app.conf.task_always_eager = eager
