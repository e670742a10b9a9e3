"""Make Thai text copy and extract correctly from WeasyPrint's PDF.

WeasyPrint maps each glyph to the text of the first cluster it was drawn in. A Thai cluster (consonant, vowel,
tone mark) is several glyphs, and TLWG fonts (Laksaman) swap and replace marks by contextual substitution, so a
glyph often ends up mapped to the wrong character or to nothing: "ข้อมูล" extracted as "ข้อม้ล", "ตำบล" as
"ตาบล". This finisher rewrites each Thai glyph's ToUnicode entry to the character the glyph draws (its cmap
entry, or that of the glyph it is a variant of: uni0E49.low → ้). What remains is what every glyph-based PDF
has, text in drawing order: a tone mark drawn before a below vowel (ผ ้ ู, canonically equivalent to ผู้) and
SARA AM drawn as NIKHAHIT + SARA AA, its compatibility decomposition, the NIKHAHIT before a tone mark (ซ ํ ้ า).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

_ENTRY = re.compile(rb"^<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>$")


def _is_thai(text: str) -> bool:
    return any("\u0e00" <= char <= "\u0e7f" for char in text)


@functools.cache
def glyph_texts(font_file: Path) -> Mapping[int, str]:
    """Glyph id → the one character it draws, for the Thai glyphs of a font file (variants by their base name)."""
    font = TTFont(str(font_file), lazy=True)
    by_name: dict[str, str] = {}
    for code, name in sorted(font.getBestCmap().items()):
        by_name.setdefault(name, chr(code))
    texts = {}
    for glyph_id, name in enumerate(font.getGlyphOrder()):
        text = by_name.get(name) or by_name.get(name.split(".")[0])
        if text is not None and _is_thai(text):
            texts[glyph_id] = text
    return texts


def _decode(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be") if hex_text else ""


def fix_thai_text_map(pdf: Any, *, regular: Path, bold: Path, family: str) -> None:
    """Rewrite the ToUnicode entries of Thai glyphs in the fonts of `family` (a pydyf.PDF about to be written)."""
    for font in list(pdf.objects):
        if not isinstance(font, dict) or font.get("Subtype") != "/Type0" or "ToUnicode" not in font:
            continue
        base_font = bytes(font["BaseFont"]) if isinstance(font["BaseFont"], bytes) else str(font["BaseFont"]).encode()
        if family.encode() not in base_font:
            continue
        texts = glyph_texts(bold if b"Bold" in base_font else regular)
        stream = pdf.objects[int(bytes(font["ToUnicode"]).split()[0])].stream
        for index, line in enumerate(stream):
            match = _ENTRY.match(line) if isinstance(line, bytes) else None
            if match is None:
                continue
            glyph_id = int(match.group(1), 16)
            current = _decode(match.group(2))
            if glyph_id in texts and (not current or _is_thai(current)) and current != texts[glyph_id]:
                stream[index] = f"<{glyph_id:04x}> <{texts[glyph_id].encode('utf-16-be').hex()}>".encode()
