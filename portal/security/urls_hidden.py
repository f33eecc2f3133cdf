"""An empty URL configuration for admin requests refused with 404.

CommonMiddleware answers a 404 on ``/quan-tri`` with a redirect to ``/quan-tri/`` when that
URL exists, which would tell a stranger where the admin is; with this (empty) configuration
on the request, nothing under the admin prefix exists for them, slash or not.
"""

urlpatterns: list = []
