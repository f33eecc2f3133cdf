from django.urls import path

from portal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/da-doc/", views.notification_read, name="read"),
    path("da-doc-tat-ca/", views.notification_read_all, name="read_all"),
    path("cai-dat/", views.preferences, name="preferences"),
]
