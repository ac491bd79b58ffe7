"""The one check of an uploaded file, used by every upload of the project.

`check_upload(upload, kinds=..., max_bytes=...)` answers `(clean_name, content_type)` or raises
`UploadRefused` (a ValidationError) whose message names the file, in the user's language:

* the kind by the name's extension AND by the content: PDF starts with %PDF-; OFD is a zip with
  OFD.xml; docx and xlsx are zips with [Content_Types].xml and their main part under word/ or
  xl/; JPEG starts with FF D8 FF; PNG with its 8-byte signature; CSV is text (UTF-8 or GB18030)
  without NUL bytes. A Windows program (MZ) or a web page under any name is named as such.
* the size: not empty, at most `max_bytes` (settings.UPLOAD_MAX_BYTES, 20 MB by default).
* the name: no folders, no control or bidirectional-override characters, no characters
  Windows refuses, at most 100 characters with its extension kept; Chinese is kept.

The content type answered is the kind's, never the one the browser sent.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
NAME_MAX_LENGTH = 100
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file: its extensions, its content type, how it is recognized."""

    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str
    magic: bytes = b""  # what the content starts with
    zip_parts: tuple[str, ...] = ()  # names a zip must hold (a trailing "/" means some name under that folder)


KINDS = {
    "pdf": Kind("pdf", "PDF", ("pdf",), "application/pdf", magic=b"%PDF-"),
    "ofd": Kind("ofd", "OFD", ("ofd",), "application/ofd", magic=b"PK\x03\x04", zip_parts=("OFD.xml",)),
    "docx": Kind("docx", "Word (docx)", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 magic=b"PK\x03\x04", zip_parts=("[Content_Types].xml", "word/document.xml")),
    "xlsx": Kind("xlsx", "Excel (xlsx)", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 magic=b"PK\x03\x04", zip_parts=("[Content_Types].xml", "xl/workbook.xml")),
    "jpg": Kind("jpg", "JPG", ("jpg", "jpeg"), "image/jpeg", magic=b"\xff\xd8\xff"),
    "png": Kind("png", "PNG", ("png",), "image/png", magic=b"\x89PNG\r\n\x1a\n"),
    "csv": Kind("csv", "CSV", ("csv",), "text/csv"),
}
DOCUMENT_KINDS = ("pdf", "ofd", "docx", "xlsx", "jpg", "png")  # attachments and milestone documents
TABLE_KINDS = ("xlsx", "csv")  # imports

MESSAGES = {
    "type": _("“%(name)s”: this kind of file is not accepted. Accepted: %(kinds)s."),
    "empty": _("“%(name)s” is empty."),
    "size": _("“%(name)s” is %(size)s MB; files of at most %(max)s MB are accepted."),
    "executable": _("“%(name)s” is a program (a Windows executable), not a %(kind)s file."),
    "html": _("“%(name)s” is a web page (HTML), not a %(kind)s file."),
    "content": _("“%(name)s”: the content is not a %(kind)s file."),
}

# Heads of binary kinds that a CSV never starts with (zip, PDF, old Office, images, programs).
BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"MZ", b"\x7fELF", b"GIF8")
_UNSAFE = re.compile(r'[<>:"|?*\\/]')
_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<script|<svg|<iframe|<\?xml[^>]*>\s*<(?:html|svg))", re.IGNORECASE)


class UploadRefused(ValidationError):
    """An upload that is refused; `code` is a key of MESSAGES and the message names the file."""


def message(code: str, **params) -> str:
    """The refusal message for `code` in the active language (the shared bad-file tests compare with it)."""
    return str(MESSAGES[code]) % params


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_filename(name: str, max_length: int = NAME_MAX_LENGTH) -> str:
    """What the user called the file, safe to show and to offer back: 申请书.pdf stays 申请书.pdf."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.strip().lower()[:10]
    stem = stem.strip(" .") or "file"
    room = max_length - (len(ext) + 1 if ext else 0)
    return f"{stem[:room].rstrip(' .') or 'file'}.{ext}" if ext else stem[:max_length]


def _read(upload, n: int | None = None) -> bytes:
    upload.seek(0)
    data = upload.read() if n is None else upload.read(n)
    upload.seek(0)
    return data


def _zip_names(upload) -> set[str]:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            return set(package.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        return set()
    finally:
        upload.seek(0)


def _has_part(names: set[str], part: str) -> bool:
    if "/" not in part:  # OFD.xml: at the root, or one folder down as some producers write it
        return part in names or any(n.endswith("/" + part) and n.count("/") == 1 for n in names)
    return part in names


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # The sniffed head may end inside a character.
            if exc.start >= len(head) - 4 and len(head) == SNIFF_BYTES:
                return True
    return False


def _matches(kind: Kind, upload, head: bytes) -> bool:
    if kind.code == "csv":
        return _is_text(head) and not head.startswith(BINARY_MAGIC)
    if not head.startswith(kind.magic):
        return False
    if kind.zip_parts:
        names = _zip_names(upload)
        return all(_has_part(names, part) for part in kind.zip_parts)
    return True


def check_upload(upload, *, kinds=DOCUMENT_KINDS, max_bytes: int | None = None) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload, or UploadRefused naming the file."""
    accepted = [KINDS[k] for k in kinds]
    max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
    name = clean_filename(getattr(upload, "name", "") or "")

    def refuse(code, **params):
        params = {"name": name, **params}
        raise UploadRefused(MESSAGES[code], code=code, params=params)

    ext = name.rpartition(".")[2].lower() if "." in name else ""
    kind = next((k for k in accepted if ext in k.extensions), None)
    if kind is None:
        refuse("type", kinds="、".join(k.label for k in accepted))
    size = upload.size
    if not size:
        refuse("empty")
    if size > max_bytes:
        refuse("size", size=f"{size / 1024 / 1024:.1f}", max=f"{max_bytes / 1024 / 1024:g}")
    head = _read(upload, SNIFF_BYTES)
    if head.startswith(b"MZ"):
        refuse("executable", kind=kind.label)
    if _HTML.match(head.lstrip(b"\xef\xbb\xbf")):
        refuse("html", kind=kind.label)
    if not _matches(kind, upload, head):
        refuse("content", kind=kind.label)
    return name, kind.content_type
