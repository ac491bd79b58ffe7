from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("disbursements/", views.queue, name="queue"),
    path("disbursements/<int:pk>/transition/", views.disbursement_transition, name="disbursement_transition"),
    path("budget-changes/", views.budget_change_list, name="budget_changes"),
    path("budget-changes/<int:pk>/decide/", views.budget_change_decide, name="budget_change_decide"),
    path("budget-changes/<int:pk>/document/", views.budget_change_document, name="budget_change_document"),
    path("savings/", views.savings, name="savings"),
    path("projects/<int:pk>/", views.project_money, name="project_money"),
    path("projects/<int:pk>/lines/", views.line_add, name="line_add"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("projects/<int:pk>/disbursements/", views.disbursement_add, name="disbursement_add"),
    path("projects/<int:pk>/partial-allocation/", views.partial_allocation, name="partial_allocation"),
    path("projects/<int:pk>/budget-change/", views.budget_change_propose, name="budget_change_propose"),
    path("<slug:kind>/import/", views.import_upload, name="import"),
    path("<slug:kind>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("<slug:kind>/template/", views.import_template, name="import_template"),
    path("<slug:kind>/export/", views.export, name="export"),
]
