"""One conversation as PDF for the archive (a chat can be a case document).

The PDF holds exactly the text export (:func:`bot.web.console_history.conversation_text`):
the header, every message as stored (citizen text is masked before it is stored) and
the internal notes. fpdf2 writes it in pure Python; the font is DejaVu Sans, which has
æ, ø, å and the rest of the Latin, Greek and Cyrillic letters. It ships inside
matplotlib's wheel (a pinned dependency), so no system font is needed; Debian's
fonts-dejavu-core is used if matplotlib's copy is missing. Characters DejaVu Sans has
no glyph for (Chinese, Japanese, emoji) are left out of the PDF (fpdf2 logs them); the
text export keeps them.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

__all__ = ["FONT_DIRS", "PdfFontMissing", "conversation_pdf", "font_files"]


def _matplotlib_fonts() -> Path | None:
    spec = importlib.util.find_spec("matplotlib")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


FONT_DIRS: tuple[Path | None, ...] = (
    _matplotlib_fonts(),
    Path("/usr/share/fonts/truetype/dejavu"),
)
_FAMILY = "DejaVu"
_MARGIN_MM = 18
_LINE_MM = 5.2
# Control characters have no glyph: shown as a space (a tab as four).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PdfFontMissing(RuntimeError):
    """No DejaVu Sans font file was found."""


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files.

    Raises:
        PdfFontMissing: With where it looked and what to install.
    """
    for folder in FONT_DIRS:
        if folder is None:
            continue
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    looked = ", ".join(str(f) for f in FONT_DIRS if f)
    raise PdfFontMissing(
        f"DejaVu Sans was not found in {looked}: run `make install` (matplotlib ships it) "
        "or `apt-get install fonts-dejavu-core`."
    )


def conversation_pdf(text: str, *, title: str, created_at: datetime) -> bytes:
    """The text export of a conversation as an A4 PDF.

    Args:
        text: :func:`~bot.web.console_history.conversation_text`; its first line is the
            heading, a blank line ends the header block.
        title: The document title in the PDF's metadata.
        created_at: The PDF's creation date (the export time), for reproducible output.
    """
    regular, bold = font_files()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
    pdf.add_font(_FAMILY, "", str(regular))
    pdf.add_font(_FAMILY, "B", str(bold))
    pdf.set_title(title)
    pdf.set_creator("Alver innbyggjarbot")
    pdf.set_lang("no")
    pdf.set_creation_date(created_at)
    pdf.add_page()
    heading, _, rest = text.partition("\n")
    pdf.set_font(_FAMILY, "B", 15)
    pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    in_header = True
    for raw in rest.split("\n"):
        line = _CONTROL.sub(" ", raw.replace("\t", "    "))
        if not line.strip():
            in_header = False
            pdf.ln(_LINE_MM / 2)
            continue
        pdf.set_font(_FAMILY, "", 9 if in_header else 10)
        pdf.multi_cell(0, _LINE_MM, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
