"""Pages of redundancy detection (namespace "projects")."""

from django.urls import path

from . import views

urlpatterns = [
    path("redundancy/live/", views.live_check, name="redundancy_live"),
    path("redundancy/clusters/", views.clusters_page, name="clusters"),
    path("redundancy/clusters/recompute/", views.clusters_recompute, name="clusters_recompute"),
    path("demands/<int:pk>/similar/", views.similar_page, name="demand_similar"),
    path("demands/<int:pk>/compare/<str:kind>/<int:cid>/", views.compare_page, name="redundancy_compare"),
    path("demands/<int:pk>/compare/<str:kind>/<int:cid>/decide/", views.decide, name="redundancy_decide"),
    path("demands/<int:pk>/flags/<int:flag_id>/dismiss/", views.dismiss_flag, name="flag_dismiss"),
]
