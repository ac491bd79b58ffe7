from __future__ import annotations

import zipfile
from pathlib import PurePath
from uuid import uuid4

from django.db import transaction
from django.utils.translation import gettext as _

from projects.demands.models import Attachment, Demand
from projects.demands.services import DemandInvalid, _check_may_edit

# Attachments: extension → (content type, sniffing rule). OFD, DOCX and XLSX are ZIP packages
# that must contain their format's main part; PDF, JPEG and PNG start with a magic number.
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", b"%PDF", None),
    "ofd": ("application/ofd", b"PK\x03\x04", "OFD.xml"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "xl/workbook.xml"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# ---------------------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------------------


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _head(upload, n: int) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def check_attachment(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload, or DemandInvalid naming the file."""
    name = getattr(upload, "name", "") or ""
    ext = _extension(name)
    spec = ATTACHMENT_TYPES.get(ext)

    def refuse(message):
        raise DemandInvalid(message, field_errors={"attachments": [message]})

    if spec is None:
        refuse(
            _("“%(name)s”: this file type is not accepted. Accepted: PDF, OFD, Word (docx), Excel (xlsx), JPG, PNG.")
            % {"name": name}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        refuse(_("“%(name)s” is larger than 20 MB.") % {"name": name})
    if upload.size == 0:
        refuse(_("“%(name)s” is empty.") % {"name": name})
    content_type, magic, main_part = spec
    if not _head(upload, len(magic)) == magic:
        refuse(_("“%(name)s”: the content is not a %(ext)s file.") % {"name": name, "ext": ext.upper()})
    if main_part is not None:
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        finally:
            upload.seek(0)
        if main_part not in names and not any(n.endswith("/" + main_part) for n in names):
            refuse(_("“%(name)s”: the content is not a %(ext)s file.") % {"name": name, "ext": ext.upper()})
    return ext, content_type


def add_attachment(*, actor, demand: Demand, upload, description: str = "") -> Attachment:
    """Attach a file to a draft or returned demand of the actor's organization."""
    _check_may_edit(actor, demand, demand.org)
    ext, content_type = check_attachment(upload)
    original = PurePath(upload.name).name[:255]
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
