"""Reading PDFs back in tests: text, characters, fonts, and page images (pdftoppm)."""

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def flat(text: str) -> str:
    """Text without any whitespace: table cells wrap long titles over several lines."""
    return re.sub(r"\s+", "", text)


def pdf_chars(data: bytes) -> str:
    """Every character in drawing order, including rotated ones such as the watermark."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(char["text"] for page in pdf.pages for char in page.chars)


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def cell_texts(data: bytes) -> list[str]:
    """The text of every table cell on every page, whitespace removed."""
    cells = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                cells.extend(flat(cell or "") for row in table for cell in row)
    return cells


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def artifact_dir(tmp_path: Path) -> Path:
    """SCREENSHOT_DIR keeps page images for a person to look at; otherwise they go with the test."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render_pages(data: bytes, folder: Path, name: str, *, first: int = 1, last: int = 1) -> list[Path]:
    """PNG images of pages first..last at 80 dpi, made by poppler's pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install Debian's poppler-utils (config/setup.sh does)"
    source = folder / f"{name}.pdf"
    source.write_bytes(data)
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", str(first), "-l", str(last), str(source), str(folder / name)],
        check=True,
        timeout=60,
    )
    return sorted(folder.glob(f"{name}-*.png"))


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a .docx, in document order (tables after their paragraphs)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)
