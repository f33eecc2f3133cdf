"""The project's URLs plus a stand-in ``applications:create``, to test the submit button."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

applications_patterns = ([path("<str:code>/nop/", lambda request, code: HttpResponse(), name="create")], "applications")
urlpatterns = [path("ho-so/", include(applications_patterns)), *portal_urlpatterns]
