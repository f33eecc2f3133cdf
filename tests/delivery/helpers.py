from __future__ import annotations

import json
import time
import uuid

from django.test import Client
from django.urls import reverse

from delivery.carriers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


def signed_post(
    client: Client,
    *,
    tracking: str,
    status: str,
    event_id: str | None = None,
    occurred_at: str = "2026-11-29T10:00:00+07:00",
    timestamp: int | None = None,
    secret: str | None = None,
    tamper: bool = False,
):
    body = json.dumps(
        {
            "event_id": event_id or uuid.uuid4().hex,
            "tracking_number": tracking,
            "status": status,
            "occurred_at": occurred_at,
        }
    ).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = sign(body=body, timestamp=ts, secret=secret)
    if tamper:
        body = body.replace(status.encode(), b"delivered")
    headers = {
        f"HTTP_{h.upper().replace('-', '_')}": v for h, v in {TIMESTAMP_HEADER: ts, SIGNATURE_HEADER: signature}.items()
    }
    return client.post(reverse("delivery:webhook"), data=body, content_type="application/json", **headers)


def client_transport(statuses: list[int] | None = None):
    """A stand-in for the mock carrier's HTTP POST that goes through Django's test client."""
    from urllib.parse import urlparse

    client = Client()

    def post(url, body, headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        response = client.post(urlparse(url).path, data=body, content_type="application/json", **extra)
        if statuses is not None:
            statuses.append(response.status_code)
        return response.status_code

    return post
