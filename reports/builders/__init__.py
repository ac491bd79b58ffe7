"""Builders of the report kinds whose data lives below reports: registers (registers.py) and the
documents of one demand or one project (documents.py). reports.apps registers them."""
