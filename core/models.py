from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.selectors import RestrictedQuerySet, sees_everything


class TimeStampedModel(models.Model):
    """Creation and last-change times, for every record a person edits."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")

    _raw_delete = delete


class AuditLog(models.Model):
    """One transition of one state machine: who, when, which object, from, to, why.

    Append-only: the application never updates or deletes a row (the model refuses, the
    admin offers no change, and on PostgreSQL a trigger refuses UPDATE and DELETE).
    """

    event = models.CharField(_("event"), max_length=20, default="transition", db_index=True)  # core.audit.AuditEvent
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=300)
    machine = models.CharField(_("machine"), max_length=30)
    transition = models.CharField(_("transition"), max_length=40)
    source = models.CharField(_("from"), max_length=40)
    target = models.CharField(_("to"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.object_repr}: {self.transition} ({self.source} → {self.target})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    @classmethod
    def access_rule(cls, user, action: str):
        """The whole log is read by province-wide roles and auditors; a bureau reads an object's
        history only on that object's page (through the object's own access rule)."""
        return None if sees_everything(user) else models.Q(pk__in=[])


class Notification(models.Model):
    """A message to one user about one object, shown in the app (and mailed when sent)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(_("event"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    message = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message


class CodeSequence(models.Model):
    """The last number given per prefix and year (XQ-2026, XM-2026, XT): numbers never repeat.

    Incremented under a row lock (select_for_update) inside the caller's transaction, so that
    bureaus submitting at the same instant get distinct numbers.
    """

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"
