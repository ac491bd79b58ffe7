"""Home-page panels of the catalogue."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Panel, register
from organizations.selectors import sees_everything

from .models import InformationSystem
from .permissions import maintains_whole_catalogue
from .selectors import assessment_overdue_q


@register
def catalogue_panels(user) -> list[Panel]:
    """Maintainers and auditors: systems overdue for their classified-protection assessment."""
    if not (maintains_whole_catalogue(user) or sees_everything(user)):
        return []
    overdue = InformationSystem.objects.filter(assessment_overdue_q()).count()
    return [Panel(
        title=_("Systems overdue for assessment"), value=overdue, url=f"{reverse('assets:system_list')}?overdue=true",
        tone="danger" if overdue else "success", detail=_("Classified-protection assessments past due"),
    )]
