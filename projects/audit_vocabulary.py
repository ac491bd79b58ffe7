"""The words the audit log of demands, flags and projects is read in (registered with core.audit)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from projects.delivery.choices import MACHINE_FIELDS, DevelopmentState, FundingState, HardwareState, Machine, OperationsState
from projects.delivery.models import Project
from projects.delivery.views import TRANSITION_LABELS as PROJECT_TRANSITIONS
from projects.demands.choices import (
    ASSIGNMENT_TRANSITION_LABELS,
    AUTHORIZATION_TRANSITION_LABELS,
    AssignmentState,
    AuthorizationState,
    DemandStatus,
    Recommendation,
)
from projects.demands.choices import TRANSITION_LABELS as DEMAND_TRANSITIONS
from projects.demands.models import AuthorizationRequest, Demand, ExpertAssignment
from projects.redundancy.choices import CandidateKind, FlagState
from projects.redundancy.models import ClusterDecision, ClusterDecisionKind, DomainThreshold, RedundancyFlag

FLAG_TRANSITIONS = {
    "dismiss": gettext_lazy("Dismissed"),
    "merge": gettext_lazy("Resolved by merging"),
    "reuse": gettext_lazy("Resolved by reuse"),
    "mark_stale": gettext_lazy("No longer found by a new check"),
    "reopen": gettext_lazy("Found again by a new check"),
}
PROJECT_STATES = {
    Machine.HARDWARE: HardwareState,
    Machine.FUNDING: FundingState,
    Machine.DEVELOPMENT: DevelopmentState,
    Machine.OPERATIONS: OperationsState,
}


def describe_flag(row) -> str:
    """“系统 XT-0052 疑似重复 65%”, from what the row recorded."""
    payload = row.payload or {}
    kind, _sep, _pk = str(payload.get("candidate", "")).partition(":")
    try:
        score = round(float(payload.get("score", "")) * 100)
    except ValueError:
        return row.object_repr
    label = CandidateKind(kind).label if kind in CandidateKind.values else kind
    return _("%(kind)s %(code)s possibly duplicated %(score)s%%") % {"kind": label, "code": payload.get("code", ""), "score": score}


def register() -> None:
    audit.register_vocabulary(Demand, "status", label=gettext_lazy("Approval"), states=DemandStatus,
                              transitions=DEMAND_TRANSITIONS)
    audit.register_vocabulary(Demand, "opinion", label=gettext_lazy("Reviewer's opinion"), states={},
                              transitions=dict(Recommendation.choices))
    audit.register_vocabulary(ExpertAssignment, "state", label=gettext_lazy("Expert assignment"), states=AssignmentState,
                              transitions={"assign": gettext_lazy("Assigned to the panel"), **ASSIGNMENT_TRANSITION_LABELS})
    audit.register_vocabulary(AuthorizationRequest, "state", label=gettext_lazy("Data-sharing authorization"),
                              states=AuthorizationState,
                              transitions={"request": gettext_lazy("Requested from the owner"), **AUTHORIZATION_TRANSITION_LABELS})
    audit.register_vocabulary(RedundancyFlag, "state", label=gettext_lazy("Redundancy flag"), states=FlagState,
                              transitions=FLAG_TRANSITIONS)
    audit.register_describer(RedundancyFlag, describe_flag)
    audit.register_vocabulary(ClusterDecision, "cluster", label=gettext_lazy("Coordination cluster"), states={},
                              transitions=dict(ClusterDecisionKind.choices))
    audit.register_vocabulary(DomainThreshold, "flag_threshold", label=gettext_lazy("Flag threshold of a domain"),
                              states={}, transitions={"apply": gettext_lazy("Applied from the reviewers' decisions")})
    for machine in MACHINE_FIELDS:
        audit.register_vocabulary(
            Project, str(machine), label=Machine(machine).label, states=PROJECT_STATES[machine],
            transitions={name: label for (m, name), label in PROJECT_TRANSITIONS.items() if m == machine},
        )
