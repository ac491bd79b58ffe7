from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Notification
from core.notifications import notify
from organizations.choices import Role
from projects.demands.choices import DemandStatus as S
from projects.demands.choices import transition_label
from projects.demands.models import Demand

# ---------------------------------------------------------------------------------------
# Who hears of it
# ---------------------------------------------------------------------------------------


def next_actors(demand: Demand):
    """The people who must act on the demand in its current state (a queryset of users)."""
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    if demand.status == S.MUNICIPAL_REVIEW:
        if demand.org.city_id is None:
            return active.none()
        return active.filter(role=Role.MUNICIPAL_COORDINATOR, organization__city_id=demand.org.city_id)
    if demand.status == S.PROVINCIAL_REVIEW:
        return active.filter(role=Role.PROVINCIAL_REVIEWER)
    if demand.status == S.EXPERT_REVIEW:
        # The approver, and the experts whose opinion is still awaited.
        awaited = demand.expert_assignments.filter(state="assigned").values("expert_id")
        return active.filter(role=Role.PROVINCIAL_APPROVER) | active.filter(pk__in=awaited)
    if demand.status == S.RETURNED:
        return submitters_of(demand)
    return active.none()


def submitters_of(demand: Demand):
    User = get_user_model()
    return User.objects.filter(is_active=True, role=Role.SUBMITTER, organization_id=demand.org_id)


NEXT_ACTOR_MESSAGES = {
    S.MUNICIPAL_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s waits for your municipal review (due %(due)s)."),
    S.PROVINCIAL_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s waits for your provincial review (due %(due)s)."),
    S.EXPERT_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s needs the expert panel's verdict (due %(due)s)."),
}
SUBMITTER_MESSAGE = gettext_lazy("Your demand %(code)s “%(title)s” is now “%(state)s” (%(action)s by %(actor)s).")
RETURNED_MESSAGE = gettext_lazy(
    "Your demand %(code)s “%(title)s” was returned for revision by %(actor)s: %(comment)s"
)


def notify_transition(demand_id: int, name: str, actor_id: int, comment: str = "") -> None:
    """After the commit: tell the people who must act next and the bureau's submitters, once each."""
    from django.utils import translation

    User = get_user_model()
    demand = Demand.objects.select_related("org").get(pk=demand_id)
    actor = User.objects.filter(pk=actor_id).first()
    url = reverse("projects:demand_detail", args=[demand.pk])
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "code": demand.code or _("(draft)"),
            "title": demand.title,
            "org": demand.org.name,
            "state": demand.get_status_display(),
            "action": transition_label(name),
            "actor": str(actor) if actor else "",
            "comment": comment,
            "due": timezone.localtime(demand.due_at).strftime("%Y-%m-%d") if demand.due_at else "-",
        }
    submitters = list(submitters_of(demand))
    told = {u.pk for u in submitters}
    if demand.status in NEXT_ACTOR_MESSAGES:
        reviewers = [u for u in next_actors(demand) if u.pk not in told]
        notify(reviewers, verb=f"demand.{name}", message=NEXT_ACTOR_MESSAGES[demand.status], params=params,
               obj=demand, actor=actor, url=url, exclude=[actor])
    message = RETURNED_MESSAGE if demand.status == S.RETURNED else SUBMITTER_MESSAGE
    notify(submitters, verb=f"demand.{name}", message=message, params=params, obj=demand, actor=actor, url=url,
           exclude=[actor])


# ---------------------------------------------------------------------------------------
# Daily reminders
# ---------------------------------------------------------------------------------------

REMINDER_VERB = "demand.review_overdue"
REMINDER_MESSAGE = gettext_lazy("%(count)s demands in your review queue are overdue. Please deal with them.")


def overdue_counts_by_reviewer(now=None) -> dict[int, int]:
    """user id → number of overdue demands that user's role and place must review."""
    from .selectors import overdue_demands

    now = now or timezone.now()
    User = get_user_model()
    counts: dict[int, int] = {}
    overdue = overdue_demands(now)
    by_state = dict(overdue.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    holders = {S.PROVINCIAL_REVIEW: Role.PROVINCIAL_REVIEWER, S.EXPERT_REVIEW: Role.PROVINCIAL_APPROVER}
    for state, role in holders.items():
        if by_state.get(state):
            for uid in User.objects.filter(is_active=True, role=role).values_list("pk", flat=True):
                counts[uid] = counts.get(uid, 0) + by_state[state]
    by_city = dict(
        overdue.filter(status=S.MUNICIPAL_REVIEW).values_list("org__city_id").annotate(n=Count("pk")).values_list("org__city_id", "n")
    )
    if by_city:
        coordinators = User.objects.filter(
            is_active=True, role=Role.MUNICIPAL_COORDINATOR, organization__city_id__in=[c for c in by_city if c]
        ).values_list("pk", "organization__city_id")
        for uid, city_id in coordinators:
            counts[uid] = counts.get(uid, 0) + by_city[city_id]
    return counts


def send_overdue_reminders(now=None) -> int:
    """Remind each reviewer with overdue demands, at most once per day. Returns how many were told."""
    now = now or timezone.now()
    User = get_user_model()
    counts = overdue_counts_by_reviewer(now)
    if not counts:
        return 0
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    already = set(
        Notification.objects.filter(
            verb=REMINDER_VERB, recipient_id__in=counts, created_at__gte=day_start, created_at__lt=day_start + timedelta(days=1)
        ).values_list("recipient_id", flat=True)
    )
    told = 0
    queue_url = reverse("projects:review_queue") + "?overdue=true"
    for user in User.objects.filter(pk__in=[u for u in counts if u not in already]).order_by("pk"):
        with transaction.atomic():
            told += len(notify([user], verb=REMINDER_VERB, message=REMINDER_MESSAGE,
                               params={"count": counts[user.pk]}, url=queue_url))
    return told
