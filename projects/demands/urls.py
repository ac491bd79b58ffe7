"""Pages of demands (namespace "projects")."""

from django.urls import path

from . import review_views, views

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
    path("demands/<int:pk>/opinion/", review_views.opinion_record, name="opinion_record"),
    path("demands/<int:pk>/panel/", review_views.panel_assign, name="panel_assign"),
    path("reviews/mine/", review_views.expert_assignments, name="expert_assignments"),
    path("reviews/<int:pk>/opinion/", review_views.assignment_submit, name="assignment_submit"),
    path("reviews/<int:pk>/decline/", review_views.assignment_decline, name="assignment_decline"),
    path("reviews/<int:pk>/replace/", review_views.assignment_replace, name="assignment_replace"),
    path("reviews/<int:pk>/file/", review_views.assignment_file, name="assignment_file"),
    path("authorizations/", review_views.authorization_list, name="authorization_list"),
    path("authorizations/<int:pk>/decide/", review_views.authorization_decide, name="authorization_decide"),
]
