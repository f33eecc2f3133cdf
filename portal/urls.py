from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("tai-khoan/ho-so-ca-nhan/", views.profile, name="profile"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("thu-tuc/", include("procedures.urls")),
    path("", include("applications.urls")),
    path("", include("delivery.urls")),
    path("tai-khoan/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]
