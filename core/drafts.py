"""What a refused form held, shown once more on the page it goes back to.

A page that posts a form and redirects (demand actions, the money page's forms) loses what was
typed when the action is refused. `keep` stores the typed values in the session, for one
record (`owner`) and one form; the page reads them with `take`, once, and fills its boxes.
One draft per key and session: a later refusal replaces it.
"""

from __future__ import annotations

MAX_CHARS = 20_000  # per box: more than any box takes, so that an over-long text comes back whole


def keep(request, key: str, *, owner: int, form: str, values: dict) -> None:
    """Store the typed `values` ({box: text}) of `form` about the record `owner`."""
    request.session[key] = {"owner": owner, "form": form,
                            "data": {name: str(value or "")[:MAX_CHARS] for name, value in values.items()}}


def take(request, key: str, *, owner: int) -> dict:
    """The draft about `owner` (removed from the session), or {} when there is none."""
    draft = request.session.get(key)
    if not draft or draft.get("owner") != owner:
        return {}
    del request.session[key]
    return draft


def values_for(draft: dict, form: str) -> dict | None:
    """The typed values of `form` in a draft that `take` returned, or None when it is another form's."""
    return draft.get("data") if draft.get("form") == form else None
