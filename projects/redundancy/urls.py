"""Pages of redundancy detection (namespace "projects")."""

from django.urls import path

from . import cluster_views, views

urlpatterns = [
    path("redundancy/live/", views.live_check, name="redundancy_live"),
    path("demands/<int:pk>/similar/", views.similar_page, name="demand_similar"),
    path("demands/<int:pk>/compare/<str:kind>/<int:cid>/", views.compare_page, name="redundancy_compare"),
    path("demands/<int:pk>/compare/<str:kind>/<int:cid>/decide/", views.decide, name="redundancy_decide"),
    path("demands/<int:pk>/flags/<int:flag_id>/dismiss/", views.dismiss_flag, name="flag_dismiss"),
    # Clusters the province acts on, and what decisions teach (cluster_views).
    path("redundancy/clusters/", cluster_views.clusters_page, name="clusters"),
    path("redundancy/clusters/recompute/", cluster_views.clusters_recompute, name="clusters_recompute"),
    path("redundancy/clusters/run/", cluster_views.cluster_run_status, name="cluster_run_status"),
    path("redundancy/clusters/decide/", cluster_views.cluster_decide, name="cluster_decide"),
    path("redundancy/decisions/", cluster_views.decisions_page, name="redundancy_decisions"),
    path("redundancy/decisions/apply/", cluster_views.threshold_apply, name="threshold_apply"),
]
