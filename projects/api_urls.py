"""The API of demands, redundancy and delivery under /api/v1/."""

from .delivery.api import urlpatterns as delivery
from .demands.api import urlpatterns as demands
from .redundancy.api import urlpatterns as redundancy

urlpatterns = [*demands, *redundancy, *delivery]
