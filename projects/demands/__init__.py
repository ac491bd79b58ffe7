"""Demands: intake, the approval workflow, attachments, deadlines and notifications."""
