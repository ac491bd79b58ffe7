"""Pages of demands, redundancy and delivery (namespace "projects")."""

from .delivery.urls import urlpatterns as delivery
from .demands.urls import urlpatterns as demands
from .redundancy.urls import urlpatterns as redundancy

app_name = "projects"
urlpatterns = [*demands, *redundancy, *delivery]
