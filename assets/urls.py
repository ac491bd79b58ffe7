from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("", views.system_list, name="system_list"),
    path("systems/new/", views.system_create, name="system_create"),
    path("systems/<int:pk>/", views.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("capabilities/", views.capability_list, name="capability_list"),
    path("capabilities/<slug:code>/", views.capability_detail, name="capability_detail"),
    path("data-resources/", views.data_resource_list, name="data_resource_list"),
    path("data-resources/new/", views.data_resource_create, name="data_resource_create"),
    path("data-resources/<int:pk>/", views.data_resource_detail, name="data_resource_detail"),
    path("data-resources/<int:pk>/edit/", views.data_resource_edit, name="data_resource_edit"),
    path("hardware/", views.hardware_list, name="hardware_list"),
    path("hardware/new/", views.hardware_create, name="hardware_create"),
    path("hardware/<int:pk>/edit/", views.hardware_edit, name="hardware_edit"),
    path("<slug:kind>/import/", views.import_upload, name="import"),
    path("<slug:kind>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("<slug:kind>/export/", views.export, name="export"),
    path("<slug:kind>/template/", views.import_template, name="import_template"),
]
