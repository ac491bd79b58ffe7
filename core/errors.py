"""The errors every entrance (page, API, admin, import, task) maps the same way."""


class WorkflowError(Exception):
    """Base of the doorway's errors. `message` is already in the user's language."""

    status_code = 400
    code: str | None = None  # a stable machine-readable code in the API body, where one helps clients

    def __init__(self, message, *, state: str | None = None, field_errors: dict | None = None, guards=()):
        super().__init__(str(message))
        self.message = message
        self.state = state
        self.field_errors = field_errors or {}
        self.guards = list(guards)


class TransitionConflict(WorkflowError):
    """Not allowed from the current state, blocked by a guard, or lost to a concurrent change (409)."""

    status_code = 409


class TransitionForbidden(WorkflowError):
    """The actor's role or place in the tree does not permit the transition (403)."""

    status_code = 403


class TransitionInvalid(WorkflowError):
    """The request itself is wrong: a missing comment, a bad target (400)."""

    status_code = 400


class StaleEdit(WorkflowError):
    """The record changed since the user loaded it: the edit is refused, never overwrites (409)."""

    status_code = 409
    code = "stale_edit"

    def __init__(self, message=None, **kwargs):
        from django.utils.translation import gettext_lazy

        super().__init__(message or gettext_lazy("This record was changed by someone else. Reload it and edit again."), **kwargs)
