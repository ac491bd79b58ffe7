"""The approval machine of a demand and the four machines of a project (django-fsm-2).

Transition bodies touch only fields of `self`; every other effect lives in services.py.
Conditions are pure `is_*`/`has_*` functions; `guard()` gives each the message a user sees
when it blocks.
"""


from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from assets.choices import HardwareStatus
from core.workflow import guard
from projects.delivery import permissions as perm
from projects.delivery.choices import DevelopmentState, FundingState, HardwareState, MilestoneKind, OperationsState

# ---------------------------------------------------------------------------------------
# Projects: four machines that move in parallel and guard one another.
# ---------------------------------------------------------------------------------------

FUNDS_AVAILABLE = (FundingState.ALLOCATED, FundingState.DISBURSING, FundingState.SETTLED)
HARDWARE_READY = (HardwareState.ACCEPTED, HardwareState.NOT_REQUIRED)
# Hardware items that have arrived (or were put into service since); retired ones no longer count.
ITEM_DELIVERED = (HardwareStatus.DELIVERED, HardwareStatus.IN_SERVICE)
ITEM_PENDING = (HardwareStatus.PLANNED, HardwareStatus.ORDERED)


def _items(project) -> list:
    """The project's hardware and cloud items (the prefetched ones when the page or the API prefetched them)."""
    return list(project.hardware_items.all())


@guard(_("funding has not been allocated: waiting for finance to allocate the funds"))
def is_funding_allocated(project) -> bool:
    """Development cannot start before funding is allocated."""
    return project.funding_status in FUNDS_AVAILABLE


@guard(_("hardware has not been accepted: waiting for the project manager to accept the hardware or waive it"))
def is_hardware_ready(project) -> bool:
    """Acceptance of the development needs the hardware accepted or waived."""
    return project.hardware_status in HARDWARE_READY


@guard(_("no hardware or cloud item with its cost is recorded: waiting for the project manager to add the items the project needs"))
def has_hardware_items(project) -> bool:
    """A hardware request lists what it asks for: at least one hardware or cloud item of the project with a cost."""
    return any(item.unit_cost > 0 and item.status != HardwareStatus.RETIRED for item in _items(project))


@guard(_("not every hardware or cloud item has been delivered: waiting for the project manager to mark each item delivered"))
def has_every_item_delivered(project) -> bool:
    """Accepting the hardware needs items on the project and every one of them delivered (none planned or ordered)."""
    items = _items(project)
    return bool(items) and not any(item.status in ITEM_PENDING for item in items)


@guard(_("no signed acceptance document: waiting for the project manager to upload it on the acceptance milestone"))
def has_acceptance_document(project) -> bool:
    """Delivering the development needs an acceptance milestone with its signed acceptance document."""
    return any(m.kind == MilestoneKind.ACCEPTANCE and m.document for m in project.milestones.all())


@guard(_("development has not been delivered: waiting for the project manager to deliver it"))
def is_development_delivered(project) -> bool:
    """The trial run needs the development delivered."""
    return project.development_status == DevelopmentState.DELIVERED


@guard(_("the project has no budget line: waiting for finance to enter at least one budget line (year, source, category, amount)"))
def has_approved_budget(project) -> bool:
    """Budgeting needs at least one budget line (the budgets app's facts)."""
    return project.funding_facts().has_budget


@guard(_("the budget lines do not cover the approved budget: waiting for finance to add lines or record a partial allocation with its reason"))
def is_budget_covered(project) -> bool:
    """Allocation needs lines adding up to the approved budget, or a recorded partial allocation with its reason."""
    facts = project.funding_facts()
    return facts.covers_budget or facts.partial_allocation


@guard(_("nothing has been paid yet: waiting for finance to pay the first disbursement (disbursing begins with it)"))
def has_a_payment(project) -> bool:
    """Disbursing begins with the first paid disbursement (fired by the payment itself)."""
    return project.funding_facts().payments > 0


@guard(_("a disbursement is still open: waiting for finance to pay or reject it"))
def has_no_open_disbursement(project) -> bool:
    """Settlement needs every disbursement paid or rejected."""
    return project.funding_facts().open_disbursements == 0


H, F, D, Op = HardwareState, FundingState, DevelopmentState, OperationsState


class ProjectWorkflow(ConcurrentTransitionMixin, models.Model):
    """Hardware, funding, development and operations (design.md, "Projects and their four machines")."""

    hardware_status = FSMField(_("hardware"), max_length=20, choices=H.choices, default=H.PLANNING, protected=True, db_index=True)
    funding_status = FSMField(_("funding"), max_length=20, choices=F.choices, default=F.UNFUNDED, protected=True, db_index=True)
    development_status = FSMField(_("development"), max_length=20, choices=D.choices, default=D.NOT_STARTED, protected=True, db_index=True)
    operations_status = FSMField(_("operations"), max_length=20, choices=Op.choices, default=Op.NOT_STARTED, protected=True, db_index=True)

    class Meta:
        abstract = True

    # Hardware (project manager).
    @transition(
        field=hardware_status, source=H.PLANNING, target=H.REQUESTED, conditions=[has_hardware_items],
        permission=perm.may_drive_project, custom={"name": "request"},
    )
    def hardware_request(self):
        pass

    @transition(field=hardware_status, source=H.REQUESTED, target=H.PROCURING, permission=perm.may_drive_project, custom={"name": "procure"})
    def hardware_procure(self):
        pass

    @transition(field=hardware_status, source=H.PROCURING, target=H.DELIVERED, permission=perm.may_drive_project, custom={"name": "deliver"})
    def hardware_deliver(self):
        pass

    @transition(
        field=hardware_status, source=H.DELIVERED, target=H.ACCEPTED, conditions=[has_every_item_delivered],
        permission=perm.may_drive_project, custom={"name": "accept"},
    )
    def hardware_accept(self):
        pass

    @transition(field=hardware_status, source=H.PLANNING, target=H.NOT_REQUIRED, permission=perm.may_drive_project, custom={"name": "waive"})
    def hardware_waive(self):
        pass

    # Funding (finance officer).
    @transition(
        field=funding_status, source=F.UNFUNDED, target=F.BUDGETED, conditions=[has_approved_budget],
        permission=perm.may_fund_project, custom={"name": "budget"},
    )
    def funding_budget(self):
        pass

    @transition(
        field=funding_status, source=F.BUDGETED, target=F.ALLOCATED, conditions=[is_budget_covered],
        permission=perm.may_fund_project, custom={"name": "allocate"},
    )
    def funding_allocate(self):
        pass

    # Nobody presses this button: the first payment fires it, as the system (budgets' pay service).
    @transition(
        field=funding_status, source=F.ALLOCATED, target=F.DISBURSING, conditions=[has_a_payment],
        permission=perm.nobody, custom={"name": "begin_disbursing", "system": True},
    )
    def funding_begin_disbursing(self):
        pass

    @transition(
        field=funding_status, source=F.DISBURSING, target=F.SETTLED, conditions=[is_development_delivered, has_no_open_disbursement],
        permission=perm.may_fund_project, custom={"name": "settle"},
    )
    def funding_settle(self):
        pass

    # Development (project manager).
    @transition(
        field=development_status, source=D.NOT_STARTED, target=D.REQUIREMENTS, conditions=[is_funding_allocated],
        permission=perm.may_drive_project, custom={"name": "start"},
    )
    def development_start(self):
        """Work begins: the project's actual start is recorded (once)."""
        if self.actual_start is None:
            self.actual_start = timezone.localdate()

    @transition(field=development_status, source=D.REQUIREMENTS, target=D.DESIGN, permission=perm.may_drive_project, custom={"name": "design"})
    def development_design(self):
        pass

    @transition(field=development_status, source=D.DESIGN, target=D.BUILDING, permission=perm.may_drive_project, custom={"name": "build"})
    def development_build(self):
        pass

    @transition(field=development_status, source=D.BUILDING, target=D.TESTING, permission=perm.may_drive_project, custom={"name": "test"})
    def development_test(self):
        pass

    @transition(
        field=development_status, source=D.TESTING, target=D.ACCEPTANCE, conditions=[is_hardware_ready],
        permission=perm.may_drive_project, custom={"name": "submit_acceptance"},
    )
    def development_submit_acceptance(self):
        pass

    @transition(
        field=development_status, source=D.ACCEPTANCE, target=D.DELIVERED, conditions=[has_acceptance_document],
        permission=perm.may_drive_project, custom={"name": "deliver"},
    )
    def development_deliver(self):
        """The system is delivered: the project's actual end is recorded."""
        self.actual_end = timezone.localdate()

    @transition(
        field=development_status, source=[D.TESTING, D.ACCEPTANCE], target=D.BUILDING, permission=perm.may_drive_project, custom={"name": "rework"}
    )
    def development_rework(self):
        pass

    # Operations (operations officer).
    @transition(
        field=operations_status, source=Op.NOT_STARTED, target=Op.TRIAL, conditions=[is_development_delivered],
        permission=perm.may_operate_project, custom={"name": "start_trial"},
    )
    def operations_start_trial(self):
        pass

    @transition(field=operations_status, source=Op.TRIAL, target=Op.IN_OPERATION, permission=perm.may_operate_project, custom={"name": "go_live"})
    def operations_go_live(self):
        pass

    @transition(
        field=operations_status, source=Op.IN_OPERATION, target=Op.UPGRADING, permission=perm.may_operate_project, custom={"name": "begin_upgrade"}
    )
    def operations_begin_upgrade(self):
        pass

    @transition(
        field=operations_status, source=Op.UPGRADING, target=Op.IN_OPERATION, permission=perm.may_operate_project, custom={"name": "finish_upgrade"}
    )
    def operations_finish_upgrade(self):
        pass

    @transition(field=operations_status, source=Op.IN_OPERATION, target=Op.SUSPENDED, permission=perm.may_operate_project, custom={"name": "suspend"})
    def operations_suspend(self):
        pass

    @transition(field=operations_status, source=Op.SUSPENDED, target=Op.IN_OPERATION, permission=perm.may_operate_project, custom={"name": "resume"})
    def operations_resume(self):
        pass

    @transition(
        field=operations_status, source=[Op.IN_OPERATION, Op.SUSPENDED], target=Op.RETIRED,
        permission=perm.may_operate_project, custom={"name": "retire"},
    )
    def operations_retire(self):
        pass
