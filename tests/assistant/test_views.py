import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_chat_page_works_without_javascript(client, catalogue):
    url = reverse("assistant:chat")
    assert url == "/hoi-dap/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"<h1>" in page.content
    assert b'<label for="id_text">' in page.content

    response = client.post(url, {"text": "Tôi cần biết thông tin về thủ tục đăng ký kinh doanh hộ cá thể"})
    assert response.status_code == 302 and response.url.startswith(url)
    page = client.get(url)
    text = page.content.decode()
    assert "ba ngày làm việc" in text and "năm mươi nghìn đồng" in text
    assert reverse("procedures:detail", args=["1.001612"]) in text

    client.post(url, {"text": "có"})
    text = client.get(url).content.decode()
    assert "Bước một" in text

    client.post(url, {"action": "reset"})
    assert "Bước một" not in client.get(url).content.decode()


def test_chat_form_errors_are_shown(client, db):
    page = client.post(reverse("assistant:chat"), {"text": ""})
    assert page.status_code == 200
    assert b"error-summary" in page.content


def test_chat_page_query_count_does_not_grow_with_turns(client, catalogue, django_assert_max_num_queries):
    url = reverse("assistant:chat")
    for text in ["đăng ký kết hôn", "mất mấy ngày", "có", "còn lệ phí thì sao"]:
        client.post(url, {"text": text})
    with django_assert_max_num_queries(8):
        client.get(url)
