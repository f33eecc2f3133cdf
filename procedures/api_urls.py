from django.urls import path

from procedures import api

app_name = "api"
urlpatterns = [
    path("procedures/", api.procedure_list, name="procedures"),
    path("procedures/<str:code>/", api.procedure_detail, name="procedure"),
    path("agencies/", api.agency_list, name="agencies"),
    path("sectors/", api.sector_list, name="sectors"),
    path("openapi.json", api.schema, name="openapi"),
]
