"""Pages of demands (namespace "projects")."""

from django.urls import path

from . import views

urlpatterns = [
    path("demands/mine/", views.demand_list, name="demand_list"),
    path("demands/", views.demand_all, name="demand_all"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/review/", views.review_queue, name="review_queue"),
    path("demands/<int:pk>/", views.demand_detail_view, name="demand_detail"),
    path("demands/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("demands/<int:pk>/transition/", views.demand_transition_view, name="demand_transition"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
