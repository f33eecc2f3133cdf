from django.urls import path

from payments.mockgateway import views

app_name = "mock_gateway"
urlpatterns = [
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
    path("paymentv2/<str:page_token>/", views.complete, name="complete"),
    path("merchant_webapi/api/transaction", views.api, name="api"),
]
