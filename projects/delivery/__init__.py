"""Delivery: projects, milestones, and the four machines that carry a project to operation."""
