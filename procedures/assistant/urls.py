from django.urls import path

from procedures.assistant import views

app_name = "assistant"
urlpatterns = [
    path("hoi-dap/", views.chat, name="chat"),
    path("api/v1/assistant/", views.api, name="api"),
    path("hoi-dap/giong-noi/<int:turn_id>/", views.speech, name="speech"),
]
