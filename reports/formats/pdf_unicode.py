"""Make Thai text search, copy and extract from WeasyPrint's PDF exactly as it was typed.

A PDF maps each glyph *code* to text (ToUnicode); WeasyPrint writes glyph ids as codes and maps each glyph to the
text of the first cluster it was drawn in. Thai breaks that: a syllable is a consonant and marks drawn as separate
glyphs, HarfBuzz draws SARA AM as NIKHAHIT + SARA AA (with the NIKHAHIT before a tone mark), and TLWG fonts draw a
tone mark before a below vowel and lift marks with a text rise, so a reader finds "จํานวน" for "จำนวน", a tone
on a line of its own, or a space inside a word.

This finisher gives each Thai syllable its typed text on its first glyph and none on its marks: the syllable's
base glyph is shown with a code of its own whose ToUnicode entry is the whole syllable ("ซ้ำ"), the font's
encoding CMap maps that code back to the same glyph, and mark glyphs map to no text. Searching "จำนวน",
"ผู้รับบริการ" or "ร้องเรียนซ้ำ" then finds them, and copied text is the source's code points.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydyf
from fontTools.ttLib import TTFont

NIKHAHIT, SARA_AA, SARA_AM = "\u0e4d", "\u0e32", "\u0e33"
VOWEL_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a")   # above and below vowels, typed first
OTHER_MARKS = frozenset("\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")   # tone marks and signs, typed after
MARKS = VOWEL_MARKS | OTHER_MARKS
_ENTRY = re.compile(rb"^<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>$")
_HEX = re.compile(rb"<([0-9a-fA-F]+)>")
_FONT = re.compile(rb"^/(\S+) \S+ Tf$")


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
        text = by_name.get(name)
        if text is None or not _is_thai(text):  # "uni0E49.low" is also in the legacy Thai PUA (U+F70B)
            text = by_name.get(name.split(".")[0])
        if text is not None and _is_thai(text):
            texts[glyph_id] = text
    return texts


@functools.cache
def glyph_count(font_file: Path) -> int:
    return int(TTFont(str(font_file), lazy=True)["maxp"].numGlyphs)


def syllable_texts(chars: list[str]) -> list[str]:
    """What each glyph of a drawn Thai syllable (base, then marks in drawing order) reads as, so that together they
    read as typed: the base carries itself, its vowels, then its tone marks; a SARA AM's SARA AA reads "ำ"; marks
    read as nothing. Text stays on glyphs that advance, so a reader puts no space inside the word."""
    base, marks = chars[0], list(chars[1:])
    am = marks[-1] == SARA_AA and NIKHAHIT in marks
    if am:
        marks = marks[:-1]
        marks.remove(NIKHAHIT)
    ordered = [m for m in marks if m in VOWEL_MARKS] + [m for m in marks if m not in VOWEL_MARKS]
    texts = [base + "".join(ordered)] + [""] * (len(chars) - 1)
    if am:
        texts[-1] = SARA_AM
    return texts


@dataclass
class _Font:
    """One embedded Thai font: its glyphs' characters and the codes given to syllables."""

    dictionary: Any
    texts: Mapping[int, str]
    first_code: int
    codes: dict[tuple[int, str], int] = field(default_factory=dict)

    def code(self, glyph: int, text: str) -> int:
        """The code that draws `glyph` and reads as `text` (the glyph id itself when that is its own text)."""
        default = "" if self.texts.get(glyph) in MARKS else self.texts.get(glyph)
        if text == default:
            return glyph
        key = (glyph, text)
        if key not in self.codes:
            self.codes[key] = self.first_code + len(self.codes)
        return self.codes[key]


@dataclass(frozen=True)
class _Glyph:
    line: list[Any]     # the content stream's list of operations
    index: int          # the operation holding the glyph
    start: int          # where its four hex digits begin in that operation
    glyph: int


def fix_thai_text_map(pdf: Any, *, regular: Path, bold: Path, family: str) -> None:
    """Give Thai syllables their typed text in the fonts of `family` (a pydyf.PDF about to be written)."""
    fonts: dict[int, _Font] = {}
    for number, font in enumerate(pdf.objects):
        if not isinstance(font, dict) or font.get("Subtype") != "/Type0" or "ToUnicode" not in font:
            continue
        base_font = bytes(font["BaseFont"]) if isinstance(font["BaseFont"], bytes) else str(font["BaseFont"]).encode()
        if family.encode() not in base_font or font.get("Encoding") != "/Identity-H":
            continue
        file = bold if b"Bold" in base_font else regular
        fonts[number] = _Font(dictionary=font, texts=glyph_texts(file), first_code=glyph_count(file))
    if not fonts:
        return
    names = _resource_names(pdf, fonts)
    for stream in list(pdf.objects):
        if isinstance(stream, pydyf.Stream):
            _rewrite_stream(stream.stream, names)
    for font in fonts.values():
        _write_maps(pdf, font)


def _resource_names(pdf: Any, fonts: dict[int, _Font]) -> dict[bytes, _Font]:
    """Font resource names (as content streams write them after "/") of the fonts being fixed."""
    names: dict[bytes, _Font] = {}
    for resources in pdf.objects:
        if not isinstance(resources, dict):
            continue
        for name, value in resources.items():
            if isinstance(value, bytes) and value.endswith(b" R"):
                number = int(value.split()[0])
                if number in fonts:
                    names[str(name).encode()] = fonts[number]
    return names


def _glyphs(lines: list[Any], names: dict[bytes, _Font]) -> Iterator[tuple[_Font, list[_Glyph]]]:
    """Runs of glyphs drawn in one of the fonts, in drawing order, each run ending where the font changes."""
    current: _Font | None = None
    run: list[_Glyph] = []
    for index, line in enumerate(lines):
        if not isinstance(line, bytes):
            continue
        font = _FONT.match(line)
        if font is not None:
            if current is not None and run:
                yield current, run
            current, run = names.get(font.group(1)), []
            continue
        if current is None or not (line.endswith(b"TJ") or line.endswith(b"Tj")):
            continue
        for match in _HEX.finditer(line):
            digits = match.group(1)
            for offset in range(0, len(digits) - 3, 4):
                run.append(_Glyph(lines, index, match.start(1) + offset, int(digits[offset:offset + 4], 16)))
    if current is not None and run:
        yield current, run


def _rewrite_stream(lines: list[Any], names: dict[bytes, _Font]) -> None:
    """Show each Thai syllable's base glyph with the code that reads as the whole syllable."""
    changes: dict[int, bytearray] = {}
    for font, run in _glyphs(lines, names):
        for syllable in _syllables(run, font.texts):
            texts = syllable_texts([font.texts[g.glyph] for g in syllable])
            for glyph, text in zip(syllable, texts, strict=True):
                code = font.code(glyph.glyph, text)
                if code != glyph.glyph:
                    line = changes.setdefault(glyph.index, bytearray(lines[glyph.index]))
                    line[glyph.start:glyph.start + 4] = f"{code:04x}".encode()
    for index, line in changes.items():
        lines[index] = bytes(line)


def _syllables(run: list[_Glyph], texts: Mapping[int, str]) -> Iterator[list[_Glyph]]:
    """Thai base glyphs with the marks drawn after them (and the SARA AA of a SARA AM), when there are marks."""
    syllable: list[_Glyph] = []
    for glyph in run:
        text = texts.get(glyph.glyph)
        joins = syllable and text is not None and (
            text in MARKS or (text == SARA_AA and NIKHAHIT in (texts[g.glyph] for g in syllable[1:])
                              and texts[syllable[-1].glyph] in OTHER_MARKS))
        if joins:
            syllable.append(glyph)
            continue
        if len(syllable) > 1:
            yield syllable
        syllable = [glyph] if text is not None and text not in MARKS else []
    if len(syllable) > 1:
        yield syllable


def _write_maps(pdf: Any, font: _Font) -> None:
    """The syllable codes in the font's ToUnicode map, marks reading as nothing, and an encoding CMap for them."""
    to_unicode = pdf.objects[int(bytes(font.dictionary["ToUnicode"]).split()[0])].stream
    for index, line in enumerate(to_unicode):
        match = _ENTRY.match(line) if isinstance(line, bytes) else None
        if match is None:
            continue
        glyph = int(match.group(1), 16)
        text = font.texts.get(glyph)
        if text is not None:
            current = bytes.fromhex(match.group(2).decode()).decode("utf-16-be") if match.group(2) else ""
            if not current or _is_thai(current):
                wanted = "" if text in MARKS else text
                to_unicode[index] = f"<{glyph:04x}> <{wanted.encode('utf-16-be').hex()}>".encode()
    if not font.codes:
        return
    entries = sorted((code, glyph, text) for (glyph, text), code in font.codes.items())
    added: list[bytes] = []
    for batch in _batches(entries):
        added.append(f"{len(batch)} beginbfchar".encode())
        added += [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode() for code, _, text in batch]
        added.append(b"endbfchar")
    end = to_unicode.index(b"endcmap")
    to_unicode[end:end] = added
    encoding = pydyf.Stream([
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo 3 dict dup begin /Registry (Adobe) def /Ordering (Identity) def /Supplement 0 def end def",
        b"/CMapName /FangSiang-Thai-H def", b"/CMapType 1 def",
        b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange",
    ], pydyf.Dictionary({"Type": "/CMap", "CMapName": "/FangSiang-Thai-H", "CIDSystemInfo": pydyf.Dictionary({
        "Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"), "Supplement": 0})}))
    blocks = [(start, min(start + 255, font.first_code - 1)) for start in range(0, font.first_code, 256)]
    for batch in _batches(blocks):
        encoding.stream.append(f"{len(batch)} begincidrange".encode())
        encoding.stream += [f"<{low:04x}> <{high:04x}> {low}".encode() for low, high in batch]
        encoding.stream.append(b"endcidrange")
    for batch in _batches(entries):
        encoding.stream.append(f"{len(batch)} begincidchar".encode())
        encoding.stream += [f"<{code:04x}> {glyph}".encode() for code, glyph, _ in batch]
        encoding.stream.append(b"endcidchar")
    encoding.stream += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    pdf.add_object(encoding)
    font.dictionary["Encoding"] = encoding.reference


def _batches(items: list[Any], size: int = 100) -> Iterator[list[Any]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]
