"""A test-only SMS backend for the worker-kill test: the file backend, made slow.

Selected in a worker process with ``SMS_BACKEND=tests.notifications.slow_backend.SlowFileBackend``
(the worker runs with the project root on ``sys.path``). ``SMS_SLOW_SECONDS`` (default 0.05)
is spent half before and half after the line is written, like a gateway that accepts the
message and then answers slowly: a kill can land before the provider call, or between the
provider's acceptance and the row's commit."""

from __future__ import annotations

import os
import time

from portal.notifications.sms import FileBackend, SmsResult


class SlowFileBackend(FileBackend):
    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        pause = float(os.environ.get("SMS_SLOW_SECONDS", "0.05")) / 2
        time.sleep(pause)
        result = super().send(to=to, text=text, request_id=request_id)
        time.sleep(pause)
        return result
