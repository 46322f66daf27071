from django.urls import path

from . import views

staff_urlpatterns = [
    path("operations/", views.operations_page, name="operations"),
]
