"""What the catalogue tells the parts of the system that build on it."""

from django.dispatch import Signal

# Sent after a bulk change of the catalogue that bypassed the models' save signals (an import
# committed): parts that keep derived data (the redundancy index) rebuild it. kwargs: kind.
catalogue_changed = Signal()
