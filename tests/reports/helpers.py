"""Reading reports back: openpyxl for workbooks, pdftotext and pdffonts for PDFs."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import openpyxl


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def cached(content: bytes):
    """The same workbook with the values xlsxwriter cached for each formula."""
    return openpyxl.load_workbook(io.BytesIO(content), data_only=True)


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(["pdftotext", "-raw", f.name, "-"], capture_output=True, check=True, text=True).stdout


def pdf_fonts(content: bytes) -> list[dict]:
    """pdffonts' table: name, type, whether embedded."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdffonts", f.name], capture_output=True, check=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 5:
            # name, type (one or two words), encoding, emb, sub, uni, object, id
            rows.append({"name": parts[0], "embedded": parts[-5] == "yes", "line": line})
    return rows


def has_embedded_cjk_font(content: bytes) -> bool:
    return any(f["embedded"] and "CJK" in f["name"] for f in pdf_fonts(content))


def png_pages(content: bytes, out_dir: Path, prefix: str) -> list[Path]:
    """Each page as a PNG at 60 dpi (for a person to look at)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{prefix}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out_dir / prefix)], check=True)
    return sorted(out_dir.glob(f"{prefix}*.png"))
