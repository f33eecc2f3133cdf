from django.urls import path

from delivery import views

app_name = "delivery"
urlpatterns = [
    path("ho-so/<uuid:public_id>/nhan-qua-buu-dien/", views.request_delivery, name="request"),
    path("ho-so/<uuid:public_id>/nhan-qua-buu-dien/xac-nhan/", views.confirm_delivery, name="confirm"),
    path("delivery/webhook/", views.webhook, name="webhook"),
    path("delivery/mock-carrier/api/shipments/", views.mock_carrier_create, name="mock_carrier_create"),
    path(
        "delivery/mock-carrier/api/shipments/<str:tracking_number>/",
        views.mock_carrier_status,
        name="mock_carrier_status",
    ),
    path(
        "delivery/mock-carrier/api/shipments/<str:tracking_number>/cancel/",
        views.mock_carrier_cancel,
        name="mock_carrier_cancel",
    ),
]
