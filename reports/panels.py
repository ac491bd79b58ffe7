"""Buttons on the pages of one demand and one project: print its redundancy review or approval sheet.

Registered on the pages' panel slots (core.panels); the page has already checked that the reader
may see the object, and the report reads it again as the requester when it is built.
"""

from core.panels import Panel


def approval_sheet_button(project, user):
    return Panel("approval_sheet", "reports/panels/ask_button.html", {
        "kind": "project_approval", "field": "project", "object_id": project.pk, "icon": "file-earmark-pdf",
        "label_key": "approval"})


def redundancy_review_button(demand, user):
    if demand.code is None:
        return None  # a draft was never checked
    return Panel("redundancy_review", "reports/panels/ask_button.html", {
        "kind": "redundancy_review", "field": "demand", "object_id": demand.pk, "icon": "file-earmark-pdf",
        "label_key": "redundancy"})
