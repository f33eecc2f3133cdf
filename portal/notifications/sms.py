"""SMS backends, chosen by the ``SMS_BACKEND`` setting (a dotted path), like Django's e-mail.

- ``FileBackend`` (development default): one JSON line per SMS appended to ``SMS_FILE_PATH``
  (``var/sms.log``), so a separate worker process's output can be read back.
- ``ConsoleBackend``: one line per SMS on standard output.
- ``LocmemBackend``: keeps messages in ``sms.outbox`` for tests.
- ``BrandnameHttpBackend``: a Vietnamese SMS brandname provider's JSON API (``SMS_API_URL``,
  ``SMS_API_KEY``, ``SMS_BRANDNAME``).

A backend returns an :class:`SmsResult`; the caller maps ``retry`` to a Celery retry.
"""

from __future__ import annotations

import abc
import fcntl
import json
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED = "sent", "retry", "failed"


@dataclass(frozen=True)
class SmsResult:
    status: str  # SENT, RETRY or FAILED
    message_id: str = ""
    answer: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def provider_phone(phone: str) -> str:
    """+84912345678 or 0912345678 → 84912345678, the form brandname gateways expect."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("84"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


class BaseSmsBackend(abc.ABC):
    @abc.abstractmethod
    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        """Send ``text`` to ``to`` (+84…). ``request_id`` is stable per notification so a
        provider that deduplicates on it does not deliver a re-sent message twice."""


class ConsoleBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        sys.stdout.write(f"SMS to={provider_phone(to)} id={request_id} text={text}\n")
        sys.stdout.flush()
        return SmsResult(SENT, message_id=request_id, answer={"backend": "console"})


class FileBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": provider_phone(to), "request_id": request_id, "text": text},
            ensure_ascii=False,
        )
        # Several worker processes append to the same file: lock so lines never interleave.
        with path.open("a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(line + "\n")
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
        return SmsResult(SENT, message_id=request_id, answer={"backend": "file"})


outbox: list[dict[str, str]] = []


class LocmemBackend(BaseSmsBackend):
    """For tests: like ``django.core.mail.outbox``."""

    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        outbox.append({"to": provider_phone(to), "text": text, "request_id": request_id})
        return SmsResult(SENT, message_id=request_id, answer={"backend": "locmem"})


class BrandnameHttpBackend(BaseSmsBackend):
    """A brandname SMS gateway of the kind Vietnamese carriers and resellers run.

    Request: ``POST SMS_API_URL`` with header ``X-API-Key`` and JSON
    ``{"brandname", "phone": "84…", "message", "request_id", "unicode": 0|1}``.
    Answer: JSON ``{"code": "00", "message_id": "…", "description": "…"}``.

    Codes: ``00`` accepted; ``20`` throttled, ``21`` system busy, ``22`` account out of
    credit, ``99`` provider error → retry later; ``10`` bad phone, ``11`` brandname not
    registered for this carrier, ``12`` content does not match a registered template,
    ``13`` number on the do-not-disturb list, ``14`` bad API key → permanent failure.
    HTTP 429 and 5xx, timeouts and refused connections are retried; other 4xx are not.
    """

    RETRY_CODES = frozenset({"20", "21", "22", "99"})
    PERMANENT_CODES = frozenset({"10", "11", "12", "13", "14"})

    def send(self, *, to: str, text: str, request_id: str) -> SmsResult:
        from portal.notifications.smstext import is_gsm7

        payload = {
            "brandname": settings.SMS_BRANDNAME,
            "phone": provider_phone(to),
            "message": text,
            "request_id": request_id,
            "unicode": 0 if is_gsm7(text) else 1,
        }
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            settings.SMS_API_URL,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-API-Key": settings.SMS_API_KEY or "",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SmsResult(RETRY, error=f"provider unreachable: {exc}")
        return self.interpret(status, raw)

    def interpret(self, status: int, raw: bytes) -> SmsResult:
        try:
            answer = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = {"raw": raw[:500].decode("utf-8", "replace")}
        if not isinstance(answer, dict):
            answer = {"raw": str(answer)[:500]}
        answer["http_status"] = status
        code = str(answer.get("code", ""))
        description = str(answer.get("description", ""))
        if status == 429 or status >= 500 or code in self.RETRY_CODES:
            return SmsResult(RETRY, answer=answer, error=f"HTTP {status} code {code} {description}".strip())
        if status == 200 and code == "00":
            return SmsResult(SENT, message_id=str(answer.get("message_id", "")), answer=answer)
        if code in self.PERMANENT_CODES or 400 <= status < 500:
            return SmsResult(FAILED, answer=answer, error=f"HTTP {status} code {code} {description}".strip())
        # An answer the provider never documented: do not guess that it was delivered.
        return SmsResult(RETRY, answer=answer, error=f"unexpected answer HTTP {status} code {code!r}")


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
