"""An official of the receiving agency turns on TOTP at the first sign-in, asks in the admin
for one more paper; the citizen uploads it and sends the dossier back; the official finds it
in the work queue and validates.
A TOTP code that was already used is refused."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.conf import settings

from tests.e2e.conftest import check_page, sign_in
from tests.e2e.files import pdf_bytes, upload
from tests.e2e.journeys import OFFICIAL_EMAIL, OFFICIAL_PASSWORD, household_dossier

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    """The TOTP time step the server sees (the live server runs in this process), so a code
    never straddles a 30-second boundary."""

    def __init__(self, step: int):
        self.step = step

    def code(self, secret: str) -> str:
        return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, self.step))


@pytest.fixture
def clock(monkeypatch):
    import time

    clock = Clock(int(time.time()) // 30)
    monkeypatch.setattr(totp_auth, "yield_hotp_counters_from_time", lambda: iter([clock.step]))
    return clock


def sign_out(page):
    page.locator("form[action*=logout] button[type=submit]").first.click()
    page.wait_for_load_state()


def official_signs_in(page, code: str, *, check: str | None = None):
    sign_in(page, email=OFFICIAL_EMAIL, password=OFFICIAL_PASSWORD)
    page.wait_for_url("**/2fa/authenticate/**")
    if check:
        check_page(page, check)
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_official_asks_for_a_paper_citizen_resubmits_official_validates(catalogue, clock, page):
    dossier = household_dossier()
    change_url = f"/{settings.ADMIN_URL}applications/dossier/{dossier.pk}/change/"

    # First sign-in: no second factor yet, so the admin is closed until TOTP is set up.
    sign_in(page, email=OFFICIAL_EMAIL, password=OFFICIAL_PASSWORD, check="login")
    page.goto(change_url)
    if page.locator("input[name=password]").count():  # allauth asks for the password again
        check_page(page, "reauthenticate")
        page.locator("input[name=password]").fill(OFFICIAL_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    page.wait_for_url("**/totp/activate/**")
    check_page(page, "totp-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(clock.code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_page(page, "recovery-codes")

    page.goto(change_url)
    check_page(page, "admin-dossier")
    page.get_by_role("link", name="Yêu cầu bổ sung hồ sơ").click()
    check_page(page, "admin-request-supplement")
    page.locator("textarea[name=request_text]").fill("Bản sao hợp đồng thuê nhà làm địa điểm kinh doanh")
    page.locator("#content form [type=submit]").first.click()
    page.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.state == "needs_supplement"
    sign_out(page)

    # The citizen reads the request, uploads the paper and sends the dossier back.
    sign_in(page)
    page.goto(dossier.get_absolute_url())
    check_page(page, "dossier-needs-supplement")
    section = page.locator("section[aria-labelledby=supplement-heading]")
    assert "hợp đồng thuê nhà" in section.inner_text()
    section.locator("input[name=title]").fill("Hợp đồng thuê nhà")
    section.locator("input[type=file]").set_input_files(upload("hop-dong.pdf", pdf_bytes(), "application/pdf"))
    with page.expect_navigation():
        section.locator("form[enctype] button[type=submit]").click()
    section = page.locator("section[aria-labelledby=supplement-heading]")
    with page.expect_navigation():
        section.locator("form:not([enctype]) button[type=submit]").click()
    dossier.refresh_from_db()
    assert dossier.state == "submitted"
    assert dossier.papers.filter(is_supplement=True).count() == 1
    check_page(page, "dossier-resubmitted")
    sign_out(page)

    # The official signs in with password and a fresh code, and validates.
    clock.step += 1
    official_signs_in(page, clock.code(secret), check="totp-authenticate")
    # The work queue, from the admin's home page, lists the dossier sent back; its code opens it.
    page.goto(f"/{settings.ADMIN_URL}")
    page.get_by_role("link", name="Việc cần xử lý").click()
    page.wait_for_load_state()
    check_page(page, "admin-work-queue")
    assert "chờ tiếp nhận (mới nộp)" in page.locator("#content-main").inner_text()
    page.get_by_role("link", name=dossier.code, exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(change_url)
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.locator("#content form [type=submit]").first.click()
    page.wait_for_load_state()
    dossier.refresh_from_db()
    assert dossier.state == "validated"
    sign_out(page)

    # The same code a second time is refused, and the admin stays closed.
    official_signs_in(page, clock.code(secret))
    assert "/2fa/authenticate/" in page.url
    assert page.locator(".errorlist, [role=alert]").count() >= 1
    check_page(page, "totp-reused-code")
    page.goto(change_url)
    assert page.locator("#content form").count() == 0 or "/tai-khoan/" in page.url
