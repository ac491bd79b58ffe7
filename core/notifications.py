"""Telling people what happened: an in-app notification per recipient, and an e-mail.

`notify()` writes one `Notification` row per distinct active recipient (never two for one
person in one call) and mails those who have an address, through Django's mail (the
console backend unless EMAIL_BACKEND says otherwise). Services call it from
`transaction.on_commit` (see `notify_on_commit`), so that nobody hears of a change that
rolled back.

Messages are stored as text, rendered in each recipient's language (their choice from the
language switch, else the site's default: `organizations.selectors.language_for`), whatever
language the request that caused them was in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation

from organizations.selectors import language_for

from .models import Notification

log = logging.getLogger(__name__)


def _distinct_recipients(recipients: Iterable, exclude: Iterable = ()) -> list:
    excluded = {getattr(u, "pk", u) for u in exclude if u is not None}
    seen, out = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in excluded or user.pk in seen:
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def render_text(message, params: dict | None = None, language: str | None = None) -> str:
    """`message` (a string, lazy string or callable) rendered in `language` (default: the site's)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        text = message() if callable(message) else str(message)
        if params:
            text = text % {k: (str(v) if v is not None else "") for k, v in params.items()}
        return text


def notify(
    recipients: Iterable,
    *,
    verb: str,
    message,
    params: dict | None = None,
    obj=None,
    actor=None,
    url: str = "",
    subject=None,
    exclude: Iterable = (),
) -> list[Notification]:
    """Tell each distinct active recipient (minus `exclude`) once, in the app and by e-mail."""
    people = _distinct_recipients(recipients, exclude)
    if not people:
        return []
    content_type = ContentType.objects.get_for_model(type(obj)) if obj is not None else None
    by_language: dict[str, list] = {}
    for user in people:
        by_language.setdefault(language_for(user), []).append(user)
    rows = []
    for language, group in by_language.items():
        text = render_text(message, params, language)
        title = render_text(subject, params, language) if subject else text.splitlines()[0][:120]
        rows += Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    actor=actor,
                    verb=verb,
                    content_type=content_type,
                    object_id=getattr(obj, "pk", None),
                    object_repr=str(obj)[:300] if obj is not None else "",
                    message=text,
                    url=url,
                )
                for user in group
            ]
        )
        _mail(group, title, text, url)
    return rows


def _mail(people: list, subject: str, body: str, url: str) -> None:
    addressed = [u for u in people if u.email]
    if not addressed:
        return
    if url:
        body = f"{body}\n\n{url}"
    messages = [EmailMessage(subject=subject, body=body, to=[u.email]) for u in addressed]
    try:
        get_connection().send_messages(messages)
    except Exception:  # a mail server being down must not undo or hide the in-app notification
        log.exception("could not send %d notification e-mails", len(messages))


def notify_on_commit(build: Callable[[], None]) -> None:
    """Run `build` (which calls notify) once the current transaction commits."""
    transaction.on_commit(build)
