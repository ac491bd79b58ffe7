"""The shared set of bad (and good) uploads, for every upload of the project.

Each case builds its file and knows the refusal it expects from core.uploads.check_upload, in the
active language. Use it against a form, a service or a page:

    from tests.core.upload_cases import BAD_UPLOADS, GOOD_UPLOADS, as_upload

    @pytest.mark.parametrize("case", BAD_UPLOADS, ids=lambda c: c.id)
    def test_milestone_document_refuses_bad_files(case, ...):
        response = client.post(url, {"document": as_upload(case)})
        assert case.message() in response.content.decode()

`BAD_UPLOADS` is for the document kinds (PDF, OFD, Word, Excel, JPG, PNG); `bad_uploads(kinds)`
gives the cases that apply to other kinds (imports take xlsx and csv).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads


def zip_bytes(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + b"\x00" * 16
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 16 + b"\xff\xd9"
DOCX = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>", "_rels/.rels": "<Relationships/>"})
XLSX = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "_rels/.rels": "<Relationships/>"})
OFD = zip_bytes({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<ofd:Document/>"})
CSV = "编码,系统名称\n,四平市供水漏损监测\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html><html><head><script>alert(1)</script></head><body></body></html>"


@dataclass(frozen=True)
class UploadCase:
    """A file to upload: its id, name and content; for a bad one the refusal code and its parameters."""

    id: str
    name: str
    content: bytes
    code: str = ""  # "" for a file that is accepted
    params: tuple[tuple[str, str], ...] = ()
    kinds: tuple[str, ...] = uploads.DOCUMENT_KINDS
    content_type: str = ""

    def message(self) -> str:
        """The refusal in the active language, exactly as check_upload words it."""
        params = {"name": uploads.clean_filename(self.name), **dict(self.params)}
        if self.code == "type":
            params["kinds"] = "、".join(uploads.KINDS[k].label for k in self.kinds)
        if self.code == "size":
            limit = uploads.max_upload_bytes()
            params.update(size=f"{len(self.content) / 1024 / 1024:.1f}", max=f"{limit / 1024 / 1024:g}")
        return uploads.message(self.code, **params)


def as_upload(case: UploadCase, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """The case as Django's uploaded file; the browser's content type is a lie on purpose."""
    return SimpleUploadedFile(case.name, case.content, content_type=content_type)


def _kind(code: str) -> tuple[tuple[str, str], ...]:
    return (("kind", uploads.KINDS[code].label),)


def bad_uploads(kinds: tuple[str, ...] = uploads.DOCUMENT_KINDS) -> list[UploadCase]:
    """Bad files for an upload that takes `kinds`, each with the refusal it must get."""
    first = kinds[0]
    cases = [
        UploadCase("exe-renamed-pdf", "申请书.pdf", EXE, "executable", _kind("pdf")),
        UploadCase("exe-as-exe", "setup.exe", EXE, "type"),
        UploadCase("empty", "空白.pdf", b"", "empty"),
        UploadCase("zip-renamed-docx", "方案.docx", zip_bytes({"readme.txt": "not a document"}), "content", _kind("docx")),
        UploadCase("html-renamed-png", "照片.png", HTML, "html", _kind("png")),
        UploadCase("html-renamed-pdf", "report.pdf", HTML, "html", _kind("pdf")),
        UploadCase("png-renamed-pdf", "scan.pdf", PNG, "content", _kind("pdf")),
        UploadCase("docx-renamed-xlsx", "预算.xlsx", DOCX, "content", _kind("xlsx")),
        UploadCase("xlsx-renamed-ofd", "公文.ofd", XLSX, "content", _kind("ofd")),
        UploadCase("broken-zip-xlsx", "broken.xlsx", b"PK\x03\x04 this is not a workbook", "content", _kind("xlsx")),
        UploadCase("text-renamed-jpg", "photo.jpg", b"just some words", "content", _kind("jpg")),
        UploadCase("no-extension", "README", PDF, "type"),
        UploadCase("double-extension", "invoice.pdf.exe", EXE, "type"),
        UploadCase("svg-image", "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "type"),
        UploadCase("csv-with-nul", "data.csv", b"a,b\n\x00\x01\x02\x03", "content", _kind("csv")),
        UploadCase("pdf-renamed-csv", "data.csv", PDF, "content", _kind("csv")),
        UploadCase("exe-renamed-xlsx", "清单.xlsx", EXE, "executable", _kind("xlsx")),
        UploadCase("html-renamed-csv", "清单.csv", HTML, "html", _kind("csv")),
        UploadCase("empty-csv", "empty.csv", b"", "empty"),
        UploadCase("too-large", "大文件.pdf", b"", "size"),
        UploadCase("too-large-csv", "大表.csv", b"", "size"),
    ]
    applicable = []
    for case in cases:
        ext = case.name.rpartition(".")[2].lower() if "." in case.name else ""
        kind = next((k for k in kinds if ext in uploads.KINDS[k].extensions), None)
        if case.code != "type" and kind is None:
            continue  # e.g. a CSV case for an upload that takes no CSV
        if case.code == "size":
            limit = uploads.max_upload_bytes()
            content = uploads.KINDS[kind].magic + b"a" * (limit + 1 - len(uploads.KINDS[kind].magic))
            case = UploadCase(case.id, case.name, content, "size")
        applicable.append(UploadCase(case.id, case.name, case.content, case.code, case.params, kinds))
    assert applicable, f"no bad case applies to {kinds} (first kind {first})"
    return applicable


def good_uploads(kinds: tuple[str, ...] = uploads.DOCUMENT_KINDS) -> list[UploadCase]:
    """One acceptable file of each kind, with the content type it must be stored and served with."""
    samples = {
        "pdf": ("立项申请书.pdf", PDF), "ofd": ("批复.ofd", OFD), "docx": ("建设方案.docx", DOCX), "xlsx": ("预算构成.xlsx", XLSX),
        "jpg": ("现场照片.JPG", JPG), "png": ("截图.png", PNG), "csv": ("系统清单.csv", CSV),
    }
    return [UploadCase(f"good-{k}", *samples[k], kinds=kinds, content_type=uploads.KINDS[k].content_type) for k in kinds]


BAD_UPLOADS = bad_uploads()
GOOD_UPLOADS = good_uploads()
