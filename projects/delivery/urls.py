"""Pages of projects (mounted by projects/urls/__init__.py under the app name "projects")."""

from django.urls import path

from . import views

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/portfolio/", views.portfolio, name="portfolio"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/transition/", views.project_transition, name="project_transition"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/attach-demand/", views.project_attach_demand, name="project_attach_demand"),
    path("projects/<int:pk>/hardware/new/", views.hardware_add, name="project_hardware_add"),
    path("projects/hardware/<int:pk>/delivered/", views.hardware_delivered, name="project_hardware_delivered"),
    path("projects/milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("projects/milestones/<int:pk>/document/", views.milestone_document, name="milestone_document"),
]
