from django.urls import path

from tenant_apps.inventory.api import LocationListApi

urlpatterns = [
    path("locations/", LocationListApi.as_view(), name="location-list"),
]
