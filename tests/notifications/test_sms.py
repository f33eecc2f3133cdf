from __future__ import annotations

import json
import socket

import pytest

from portal.notifications import sms
from portal.notifications.sms import FAILED, RETRY, SENT, BrandnameHttpBackend, FileBackend, provider_phone


@pytest.mark.parametrize(
    ("phone", "expected"),
    [("+84912345678", "84912345678"), ("0912345678", "84912345678"), ("84912345678", "84912345678")],
)
def test_provider_phone(phone, expected):
    assert provider_phone(phone) == expected


def test_brandname_success_sends_the_documented_request(brandname):
    result = BrandnameHttpBackend().send(to="+84912345678", text="Hồ sơ H01 hợp lệ.", request_id="notif-7")
    assert result.status == SENT
    assert result.message_id == "MSG1"
    request = brandname.requests[0]
    assert request["headers"]["x-api-key"] == "test-key-123"
    assert request["json"] == {
        "brandname": "UBND-BINHAN",
        "phone": "84912345678",
        "message": "Hồ sơ H01 hợp lệ.",
        "request_id": "notif-7",
        "unicode": 1,
    }


def test_brandname_ascii_text_is_not_flagged_unicode(brandname):
    BrandnameHttpBackend().send(to="+84912345678", text="Ho so H01 hop le.", request_id="notif-8")
    assert brandname.requests[0]["json"]["unicode"] == 0


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (200, {"code": "20", "description": "throttled"}, RETRY),
        (429, {"code": "20"}, RETRY),
        (503, {"description": "maintenance"}, RETRY),
        (200, {"code": "99"}, RETRY),
        (200, {"code": "10", "description": "invalid phone"}, FAILED),
        (200, {"code": "12", "description": "template not registered"}, FAILED),
        (401, {"code": "14", "description": "bad key"}, FAILED),
        (200, {"code": "77"}, RETRY),
    ],
)
def test_brandname_answer_codes(brandname, status, answer, expected):
    brandname.script.append((status, answer))
    result = BrandnameHttpBackend().send(to="+84912345678", text="x", request_id="notif-9")
    assert result.status == expected
    assert result.answer["http_status"] == status
    if expected != SENT:
        assert result.error


def test_brandname_unreachable_is_retried(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_API_URL = f"http://127.0.0.1:{port}/send"
    settings.SMS_API_KEY = "k"
    settings.SMS_TIMEOUT = 2
    result = BrandnameHttpBackend().send(to="+84912345678", text="x", request_id="notif-10")
    assert result.status == RETRY
    assert "unreachable" in result.error


def test_brandname_non_json_answer_is_not_taken_for_success():
    result = BrandnameHttpBackend().interpret(200, b"<html>OK</html>")
    assert result.status == RETRY


def test_file_backend_writes_one_json_line_per_sms(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "var" / "sms.log")
    FileBackend().send(to="+84912345678", text="Hồ sơ hợp lệ.", request_id="notif-1")
    FileBackend().send(to="0987654321", text="Đã có kết quả.", request_id="notif-2")
    lines = (tmp_path / "var" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["84912345678", "84987654321"]
    assert json.loads(lines[0])["text"] == "Hồ sơ hợp lệ."


def test_get_backend_follows_the_setting(settings):
    settings.SMS_BACKEND = "portal.notifications.sms.ConsoleBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
