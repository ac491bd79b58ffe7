"""The API of demands, redundancy and delivery under /api/v1/."""

from .delivery.api import urlpatterns as delivery
from .demands.api import urlpatterns as demands
from .demands.review_api import urlpatterns as review
from .redundancy.api import urlpatterns as redundancy
from .redundancy.cluster_api import urlpatterns as cluster_decisions

urlpatterns = [*demands, *review, *redundancy, *cluster_decisions, *delivery]
