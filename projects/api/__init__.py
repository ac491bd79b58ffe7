"""API of demands, redundancy and projects: each module contributes its `urlpatterns`."""

from importlib import import_module

urlpatterns: list = []
for _name in ("demands", "redundancy", "projects"):
    try:
        urlpatterns += import_module(f"{__name__}.{_name}").urlpatterns
    except ModuleNotFoundError as exc:  # a module not written yet
        if exc.name != f"{__name__}.{_name}":
            raise
