"""What each transition of the approval machine needs and does, declared once per transition.

The machine itself (states, sources, targets, permissions) is in `workflows.py`. A handler adds
what differs from one transition to the next, for every entrance alike:

- `payload_from_form(data)`: the payload from the demand page's action box (`TransitionForm`);
- `payload_from_api(data)`: the payload from the API's validated transition body;
- `payload_for_candidate(kind, cid)`: the payload from a decision on the redundancy comparison
  page, or None when the transition does not fit that kind of candidate;
- `validate(demand, actor, comment, payload) -> resolved`: what it needs besides the state
  (a comment, a complete demand, a merge or reuse target), raising TransitionInvalid;
- `apply(demand, actor, comment, resolved, changed)`: its in-transaction effects, the fields
  to save put into `changed`; `after_save(...)` what must follow the saved row;
- `on_commit(demand)`: what to announce once the transaction has committed.

`demand_transition` in `services.py` is the only caller of `validate`, `apply`, `after_save`
and `on_commit`; the page, the API and the comparison page only build payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from assets import services as catalogue
from assets.choices import SystemStatus
from assets.models import InformationSystem
from core.errors import TransitionInvalid
from core.money import AmountError, parse_amount
from core.sequences import next_code
from projects import ports
from projects.delivery.choices import OperationsState
from projects.delivery.models import Project
from projects.delivery.services import add_beneficiary
from projects.demands import review_services
from projects.demands.choices import DemandStatus, Recommendation, transition_label
from projects.demands.models import BUDGET_PARTS, Demand, field_label
from projects.demands.selectors import demands_visible_to, median, panel_of
from projects.demands.workflows import MAX_AMOUNT
from projects.redundancy.choices import CandidateKind, FlagState

S = DemandStatus

# Fields a reviewer may mark "to fix" when returning a demand.
FIXABLE_FIELDS = (
    "title", "description", "contact_name", "contact_phone", "domain", "construction_type", "capabilities",
    "data_resources", *BUDGET_PARTS, "resources_wanted", "planned_start", "planned_end", "urgency",
    "policy_basis", "attachments",
)

# Target states that a demand may be merged into (it covers the demand being merged).
MERGEABLE_TARGET_STATES = (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.APPROVED)


def submit_problems(demand: Demand) -> dict[str, list[str]]:
    """Why the demand cannot be submitted yet, by field, in the user's language (empty: it can)."""
    errors: dict[str, list[str]] = {}
    for name in demand.missing_fields():
        errors[name] = [_("Please fill in %(field)s.") % {"field": field_label(name)}]
    if not errors:
        for name in demand.budget_problems():
            if name == "budget_total":
                total = demand.compute_total()
                if total <= 0:
                    message = _("The total budget must be more than zero.")
                elif total > MAX_AMOUNT:
                    message = _("The total budget is over 10 billion CNY: please check the amounts.")
                else:
                    message = _("The budget parts do not add up to the total.")
                errors.setdefault("budget_total", []).append(message)
            else:
                errors.setdefault(name, []).append(_("%(field)s must not be negative.") % {"field": field_label(name)})
    return errors


def _id_of(value):
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # reported as not found


def _announce_redirect(demand: Demand, *, kind: str, candidate_id: int, state: str, actor, comment: str) -> None:
    """Merge and reuse resolve the demand's pending flags on the chosen candidate (redundancy listens)."""
    ports.demand_redirected.send(
        sender=Demand, demand=demand, kind=kind, candidate_id=candidate_id, state=state, actor=actor, comment=comment
    )


class TransitionHandler:
    """A transition that needs nothing besides its state and permission, and changes nothing else."""

    name: str = ""
    # design.md: return and reject say why.
    comment_required = False
    # Keys of the API's transition body this transition reads.
    api_fields: tuple[str, ...] = ()
    # Kinds of redundancy candidate (system, demand, project) this decision may be taken on.
    candidate_kinds: tuple[str, ...] = ()
    # The box of what the decision still costs (a merge's incremental, a reuse's adaptation cost).
    cost_field: str | None = None

    def __init__(self, name: str):
        self.name = name

    def payload_from_form(self, data: dict) -> dict:
        return {}

    def payload_from_api(self, data: dict) -> dict:
        return {k: data[k] for k in self.api_fields if data.get(k) is not None}

    def fits_candidate(self, kind: str) -> bool:
        return kind in self.candidate_kinds

    def payload_for_candidate(self, kind: str, cid: int) -> dict | None:
        return None

    def declared_cost(self, data) -> dict:
        """`{cost_field: value}` when the form's cost box was filled in, else nothing."""
        return _declared(data, self.cost_field) if self.cost_field else {}

    def validate(self, demand: Demand, actor, comment: str, payload: dict) -> dict:
        if self.comment_required and not comment:
            message = _("Please give a comment: %(action)s needs one, so that the bureau knows why.") % {
                "action": transition_label(self.name)
            }
            raise TransitionInvalid(message, field_errors={"comment": [message]})
        return {}

    def apply(self, demand: Demand, actor, comment: str, resolved: dict, changed: dict) -> None:
        pass

    def after_save(self, demand: Demand, actor, comment: str, resolved: dict) -> None:
        pass

    def on_commit(self, demand: Demand) -> list[Callable[[], None]]:
        return []


class Submit(TransitionHandler):
    """The bureau sends a complete demand to review: it gets its number and its submission time."""

    def validate(self, demand, actor, comment, payload):
        resolved = super().validate(demand, actor, comment, payload)
        errors = submit_problems(demand)
        if errors:
            named = "、".join(field_label(f) for f in errors)
            raise TransitionInvalid(
                _("The demand cannot be submitted yet. Please complete: %(fields)s.") % {"fields": named},
                field_errors=errors,
            )
        return resolved

    def apply(self, demand, actor, comment, resolved, changed):
        if not demand.code:
            changed["code"] = next_code("XQ", 6, timezone.localdate().year)
        if demand.submitted_at is None:
            changed["submitted_at"] = changed["stage_entered_at"]  # the same instant as the stage clock
        changed["fields_to_fix"] = []

    def after_save(self, demand, actor, comment, resolved):
        # The owners of authorized-sharing resources are asked, in the same transaction.
        review_services.open_authorization_requests(demand, actor)

    def on_commit(self, demand):
        # The redundancy check runs on the committed demand.
        return [lambda: ports.demand_submitted.send(sender=Demand, demand_id=demand.pk)]


class ReturnForRevision(TransitionHandler):
    """Back to the bureau with a comment and the fields to fix."""

    comment_required = True
    api_fields = ("fields_to_fix",)

    def payload_from_form(self, data):
        return {"fields_to_fix": data.get("fields_to_fix") or []}

    def validate(self, demand, actor, comment, payload):
        resolved = super().validate(demand, actor, comment, payload)
        fields = payload.get("fields_to_fix") or []
        if isinstance(fields, str):
            fields = [f for f in fields.split(",") if f.strip()]
        unknown = [f for f in fields if f not in FIXABLE_FIELDS]
        if unknown:
            message = _("Unknown fields to fix: %(fields)s.") % {"fields": ", ".join(map(str, unknown))}
            raise TransitionInvalid(message, field_errors={"fields_to_fix": [message]})
        resolved["fields_to_fix"] = list(dict.fromkeys(fields))
        return resolved

    def apply(self, demand, actor, comment, resolved, changed):
        changed["review_comment"] = comment
        changed["fields_to_fix"] = resolved.get("fields_to_fix", [])


class Reject(TransitionHandler):
    """Refused for good, with the reason kept on the demand."""

    comment_required = True

    def apply(self, demand, actor, comment, resolved, changed):
        changed["review_comment"] = comment


def _resolve_target(code: str) -> dict:
    """A merge target typed as a number (XQ-… demand, XM-… project) or an id."""
    code = (code or "").strip().upper()
    if not code:
        return {}
    if code.startswith("XM-"):
        project = Project.objects.filter(code=code).values_list("pk", flat=True).first()
        return {"target_project": project if project is not None else -1}
    if code.startswith("XQ-"):
        target = Demand.objects.filter(code=code).values_list("pk", flat=True).first()
        return {"target_demand": target if target is not None else -1}
    return {"target_demand": int(code) if code.isdigit() else -1}


def _declared(data: dict, key: str) -> dict:
    """`{key: value}` when the form's box was filled in, else nothing."""
    value = data.get(key)
    return {key: value} if value not in (None, "") else {}


def _clean_cost(demand, value, field: str, label) -> Decimal | None:
    """A declared cost that a merge or reuse still spends (50万, 1,200,000), or None when left empty.

    The saving is the demand's total minus this cost, so the cost is refused above the total
    (a saving is never negative) and below zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = value if isinstance(value, Decimal) else parse_amount(str(value))
    except AmountError as err:
        message = _("%(label)s: %(reason)s.") % {"label": label, "reason": err.reason}
        raise TransitionInvalid(message, field_errors={field: [message]}) from None
    if amount < 0:
        message = _("%(label)s: the cost cannot be below zero.") % {"label": label}
        raise TransitionInvalid(message, field_errors={field: [message]})
    if amount > demand.budget_total:
        message = _("%(label)s (%(amount)s) is above the demand's total (%(total)s): the saving would be negative.") % {
            "label": label, "amount": f"{amount:,.2f}", "total": f"{demand.budget_total:,.2f}"}
        raise TransitionInvalid(message, field_errors={field: [message]})
    return amount


class Merge(TransitionHandler):
    """Merged into another demand under review or approved, or into a project: it becomes a beneficiary.

    The savings entry is the demand's total minus the declared `incremental_cost` (what merging still costs)."""

    api_fields = ("target_demand", "target_project", "incremental_cost")
    candidate_kinds = (CandidateKind.DEMAND, CandidateKind.PROJECT)
    cost_field = "incremental_cost"

    def payload_from_form(self, data):
        return {**_resolve_target(data.get("target")), **self.declared_cost(data)}

    def payload_for_candidate(self, kind, cid):
        if not self.fits_candidate(kind):
            return None
        return {"target_demand": cid} if kind == CandidateKind.DEMAND else {"target_project": cid}

    def validate(self, demand, actor, comment, payload):
        resolved = super().validate(demand, actor, comment, payload)
        target_demand, target_project = _id_of(payload.get("target_demand")), _id_of(payload.get("target_project"))
        if (target_demand is None) == (target_project is None):
            message = _("Choose exactly one: the demand or the project this demand is merged into.")
            raise TransitionInvalid(message, field_errors={"target_demand": [message], "target_project": [message]})
        if target_demand is not None:
            target = demands_visible_to(actor).filter(pk=target_demand if isinstance(target_demand, int) else -1).first()
            if target is None or target.pk == demand.pk or target.status not in MERGEABLE_TARGET_STATES:
                message = _("Choose another demand under review or approved to merge into (not this one).")
                raise TransitionInvalid(message, field_errors={"target_demand": [message]})
            resolved["target_demand"] = target
        else:
            project = Project.objects.restrict(actor).filter(pk=target_project if isinstance(target_project, int) else -1).first()
            if project is None or project.operations_status == OperationsState.RETIRED:
                message = _("Choose an existing project that is not retired to merge into.")
                raise TransitionInvalid(message, field_errors={"target_project": [message]})
            resolved["target_project"] = project
        resolved["incremental_cost"] = _clean_cost(demand, payload.get("incremental_cost"), "incremental_cost", _("Incremental cost"))
        return resolved

    def apply(self, demand, actor, comment, resolved, changed):
        target_demand, project = resolved.get("target_demand"), resolved.get("target_project")
        if target_demand is not None:
            changed["merged_into"] = target_demand
            project = target_demand.project
            _announce_redirect(demand, kind=CandidateKind.DEMAND, candidate_id=target_demand.pk,
                               state=FlagState.MERGED, actor=actor, comment=comment)
        else:
            _announce_redirect(demand, kind=CandidateKind.PROJECT, candidate_id=project.pk,
                               state=FlagState.MERGED, actor=actor, comment=comment)
        if project is not None:
            changed["project"] = project
            add_beneficiary(project, demand.org, actor)

    def after_save(self, demand, actor, comment, resolved):
        ports.record_saving(demand=demand, decision="merge", amount=demand.budget_total, actor=actor, reason=comment,
                            incremental_cost=resolved.get("incremental_cost"))


class RecommendReuse(TransitionHandler):
    """Sent to reuse a catalogue system: the bureau becomes one of its users.

    The savings entry is the demand's total minus the declared `adaptation_cost` (what adapting the system costs)."""

    api_fields = ("system", "adaptation_cost")
    candidate_kinds = (CandidateKind.SYSTEM,)
    cost_field = "adaptation_cost"

    def payload_from_form(self, data):
        code = {"system_code": data["system_code"]} if data.get("system_code") and not data.get("system") else {}
        return {"system": data.get("system"), **code, **self.declared_cost(data)}

    def payload_for_candidate(self, kind, cid):
        return {"system": cid} if self.fits_candidate(kind) else None

    def validate(self, demand, actor, comment, payload):
        resolved = super().validate(demand, actor, comment, payload)
        system_id = _id_of(payload.get("system"))
        code = str(payload.get("system_code") or "").strip()
        if system_id is None and code:  # the page's "number of another system" box
            system = InformationSystem.objects.filter(code__iexact=code).first()
            if system is None:
                message = _("No system numbered “%(code)s” in the catalogue.") % {"code": code[:30]}
                raise TransitionInvalid(message, field_errors={"system_code": [message]})
        else:
            system = InformationSystem.objects.filter(pk=system_id if isinstance(system_id, int) else -1).first()
        if system is None or system.status == SystemStatus.RETIRED:
            message = _("Choose a system of the catalogue that is not retired.")
            raise TransitionInvalid(message, field_errors={"system": [message]})
        resolved["system"] = system
        resolved["adaptation_cost"] = _clean_cost(demand, payload.get("adaptation_cost"), "adaptation_cost", _("Adaptation cost"))
        return resolved

    def apply(self, demand, actor, comment, resolved, changed):
        system = resolved["system"]
        changed["reuse_system"] = system
        catalogue.add_user_org(system, demand.org, actor=actor, comment=comment)
        _announce_redirect(demand, kind=CandidateKind.SYSTEM, candidate_id=system.pk,
                           state=FlagState.REUSED, actor=actor, comment=comment)

    def after_save(self, demand, actor, comment, resolved):
        ports.record_saving(demand=demand, decision="reuse", amount=demand.budget_total, actor=actor, reason=comment,
                            adaptation_cost=resolved.get("adaptation_cost"))


class Approve(TransitionHandler):
    """Approval at the budget recommended (or typed): a cut between requested and approved is kept and saved.

    `approved_budget` defaults to the recommendation: for `provincial_approve` the reviewer's opinion,
    for `expert_approve` the median of the experts' recommended budgets. Approving without a reviewer's
    opinion is possible and marked in the log (`without_opinion`).
    """

    api_fields = ("approved_budget",)

    def payload_from_form(self, data):
        return {"approved_budget": data.get("approved_budget")}

    def recommended(self, demand, actor):
        opinion = demand.latest_opinion()
        if opinion is not None and opinion.recommendation == Recommendation.APPROVE:
            return opinion.recommended_budget
        return None

    def validate(self, demand, actor, comment, payload):
        resolved = super().validate(demand, actor, comment, payload)
        resolved["without_opinion"] = demand.latest_opinion() is None
        if self.name == "provincial_approve" and demand.needs_expert_review():
            return resolved  # on to the panel: nothing is approved yet
        approved = review_services.clean_budget(payload.get("approved_budget"), field="approved_budget",
                                                ceiling=demand.budget_total)
        if approved is None:
            approved = self.recommended(demand, actor)
        if approved is not None and approved < demand.budget_total:
            if approved <= 0:
                message = _("The approved budget must be more than zero (reject the demand instead).")
                raise TransitionInvalid(message, field_errors={"approved_budget": [message]})
            resolved["approved_budget"] = approved
        return resolved

    def apply(self, demand, actor, comment, resolved, changed):
        if resolved.get("approved_budget") is not None:
            changed["approved_budget"] = resolved["approved_budget"]

    def after_save(self, demand, actor, comment, resolved):
        approved = resolved.get("approved_budget")
        if approved is not None:
            ports.record_saving(demand=demand, decision="budget_cut", amount=demand.budget_total - approved, actor=actor,
                                reason=comment or _("Approved at %(approved)s of %(requested)s requested.")
                                % {"approved": f"{approved:,.2f}", "requested": f"{demand.budget_total:,.2f}"})


class ExpertApprove(Approve):
    def recommended(self, demand, actor):
        budgets = [a.recommended_budget for a in panel_of(demand, actor) if a.state == "submitted"]
        figure = median(budgets)
        return figure.quantize(Decimal("0.01")) if figure is not None else super().recommended(demand, actor)


class ExpertReject(TransitionHandler):
    """Rejected on the panel's opinions, with the panel's reasons kept on the demand."""

    comment_required = True

    def apply(self, demand, actor, comment, resolved, changed):
        changed["review_comment"] = comment


# One handler per transition of `Demand.status` (tests check the two lists agree).
HANDLERS: dict[str, TransitionHandler] = {
    h.name: h
    for h in (
        Submit("submit"),
        TransitionHandler("municipal_approve"),
        Approve("provincial_approve"),
        ExpertApprove("expert_approve"),
        ExpertReject("expert_reject"),
        ReturnForRevision("return_for_revision"),
        Reject("reject"),
        Merge("merge"),
        RecommendReuse("recommend_reuse"),
        TransitionHandler("withdraw"),
    )
}


def handler_for(name: str | None) -> TransitionHandler | None:
    """The handler of transition `name`, or None for a name the machine does not know."""
    return HANDLERS.get(name or "")
