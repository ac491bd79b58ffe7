from __future__ import annotations

from pathlib import PurePath
from uuid import uuid4

from django.db import transaction

from core.uploads import UploadRefused, check_upload
from projects.demands.models import Attachment, Demand
from projects.demands.services import DemandInvalid, _check_may_edit

# ---------------------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------------------


def check_attachment(upload) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload (core.uploads: the kind by extension and
    content, the size, the name), or DemandInvalid naming the file."""
    try:
        return check_upload(upload)
    except UploadRefused as err:
        message = " ".join(err.messages)
        raise DemandInvalid(message, field_errors={"attachments": [message]}) from None


def add_attachment(*, actor, demand: Demand, upload, description: str = "") -> Attachment:
    """Attach a file to a draft or returned demand of the actor's organization."""
    _check_may_edit(actor, demand, demand.org)
    original, content_type = check_attachment(upload)
    ext = PurePath(original).suffix.lower().lstrip(".")
    attachment = Attachment(
        demand=demand,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        description=(description or "")[:200],
        uploaded_by=actor,
    )
    # A random stored name: what the user called the file is kept only as text.
    upload.seek(0)
    attachment.file.save(f"{uuid4().hex}.{ext}", upload, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def delete_attachment(*, actor, attachment: Attachment) -> None:
    """Remove a file from a draft or returned demand of the actor's organization."""
    demand = attachment.demand
    _check_may_edit(actor, demand, demand.org)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
