from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import health, views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("tai-khoan/ho-so-ca-nhan/", views.profile, name="profile"),
        path("ngon-ngu/<str:language>/", views.switch_language, name="switch_language"),
        path("healthz", health.health, name="health"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("thu-tuc/", include("procedures.urls")),
    path("", include("applications.urls")),
    path("tai-khoan/thong-bao/", include("portal.notifications.urls")),
    path("payments/", include("payments.urls")),
    # The mock payment gateway: an outside service that happens to run in this process.
    path("payments/mock-gateway/", include("payments.mockgateway.urls")),
    path("api/v1/", include("procedures.api_urls")),
    path("", include("procedures.assistant.urls")),
    path("", include("delivery.urls")),
    # Before allauth's own: the same sign-in page, with a 429 while an account is locked out.
    path("tai-khoan/login/", views.LoginView.as_view(), name="account_login"),
    path("tai-khoan/", include("allauth.urls")),
    # Django's POST set_language: the header's links go to portal:switch_language now; kept
    # for forms still open in a browser or cached from before.
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_BARE_VIEW:
    # `make bench` only: the cheapest Django response on the same server settings.
    from django.http import HttpResponse

    def bench_bare(request):
        return HttpResponse(b"ok", content_type="text/plain")

    urlpatterns.insert(0, path("bench/bare/", bench_bare))
