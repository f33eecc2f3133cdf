from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("ho-so/<uuid:public_id>/giay-to/<int:paper_id>/", views.paper_download, name="paper_download"),
    path("ho-so/<uuid:public_id>/ket-qua/", views.result_download, name="result_download"),
]
