import shutil

import pytest
from django.urls import reverse

from procedures.assistant import voice
from procedures.assistant.models import Turn

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]


def test_latest_answer_can_be_heard_and_is_synthesised_once(client, catalogue, monkeypatch):
    client.post(reverse("assistant:chat"), {"text": "đăng ký kết hôn mất mấy ngày"})
    turn = Turn.objects.filter(speaker=Turn.Speaker.ASSISTANT).latest("id")
    url = reverse("assistant:speech", args=[turn.pk])
    assert url.encode() in client.get(reverse("assistant:chat")).content

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"

    def no_second_synthesis(*args, **kwargs):
        raise AssertionError("synthesised again instead of using the cached file")

    monkeypatch.setattr(voice.subprocess, "run", no_second_synthesis)
    assert client.get(url).status_code == 200


def test_another_callers_answer_is_not_served(client, catalogue):
    from django.test import Client

    client.post(reverse("assistant:chat"), {"text": "đăng ký kết hôn"})
    turn = Turn.objects.filter(speaker=Turn.Speaker.ASSISTANT).latest("id")
    assert Client().get(reverse("assistant:speech", args=[turn.pk])).status_code == 404
