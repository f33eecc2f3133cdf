from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("nop-truc-tuyen/", views.start, name="start"),
    path("nop-truc-tuyen/<str:code>/", views.create, name="create"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("tra-cuu-ho-so/", views.lookup, name="lookup"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("ho-so/<uuid:public_id>/", views.detail, name="detail"),
    path("ho-so/<uuid:public_id>/nguoi-nop/", views.applicant, name="applicant"),
    path("ho-so/<uuid:public_id>/giay-to/", views.papers, name="papers"),
    path("ho-so/<uuid:public_id>/giay-to/tai-len/<str:slot>/", views.paper_upload, name="paper_upload"),
    path("ho-so/<uuid:public_id>/giay-to/<int:paper_id>/xoa/", views.paper_remove, name="paper_remove"),
    path("ho-so/<uuid:public_id>/giay-to/<int:paper_id>/", views.paper_download, name="paper_download"),
    path("ho-so/<uuid:public_id>/xem-lai/", views.review, name="review"),
    path("ho-so/<uuid:public_id>/nop/", views.submit, name="submit"),
    path("ho-so/<uuid:public_id>/nop-lai/", views.resubmit, name="resubmit"),
    path("ho-so/<uuid:public_id>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<uuid:public_id>/danh-gia/", views.rate, name="rate"),
    path("ho-so/<uuid:public_id>/giay-tiep-nhan.pdf", views.receipt, name="receipt"),
    path("ho-so/<uuid:public_id>/ket-qua/", views.result_download, name="result_download"),
]
