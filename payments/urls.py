from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<uuid:public_id>/nop-le-phi/", views.start, name="start"),
    path("ket-qua/", views.gateway_return, name="return"),
    path("ipn/", views.ipn, name="ipn"),
    path("giao-dich/<str:reference>/", views.status, name="status"),
    path("giao-dich/<str:reference>/bien-lai.pdf", views.receipt_pdf, name="receipt"),
]
