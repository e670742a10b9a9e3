"""Reading an agency's past complaints from CSV or Excel into checked rows (the pure half of `fangsiang import`).

A file is read row by row with its line numbers (CSV in UTF-8, UTF-8 or UTF-16 with a BOM, or TIS-620/cp874 when the
bytes are plainly Thai; XLSX read-only, its zip's uncompressed sizes checked first). Files over `FileLimits` are refused
whole before anything is read.
Columns are chosen as the CLI says (`--text-column C [--date-column D] ...`): by header name, by Excel letter (A, B, …)
or by number (1, 2, …). Each row becomes an `ImportRow` or a `SkippedRow` whose reason is in Thai; a row repeated in the
same file is a `DuplicateRow`. The fingerprint (text, received time to the minute, channel, ticket) is stable across
re-imports of the same file, whatever its format, so the caller can skip rows it has already stored. Status changes
and unit corrections between two exports do not change a row's fingerprint.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from itertools import chain, islice
from pathlib import Path

from agency.thaitime import Era, ThaiDateError, day_label, detect_era, parse_thai_datetime
from agency.vocabulary import CASE_STATUSES, OPEN_STATUSES, STATUS_NAMES, Channel, Status
from classifier.thaiscript import THAI_DIGITS
from storage.models import Case

# every channel a matter can arrive by (issue 11): the online ones and the off-line ones officers record
CHANNEL_CODES = (*Channel, "walk_in", "phone", "letter", "email", "comment_box", "website", "other")
MAX_TEXT = 5000
_ERA_SAMPLE = 500
FIRST_PLAUSIBLE_YEAR = 1957  # พ.ศ. 2500: no agency's register of complaints is older
# a ticket as registers write it: letters (Thai or Latin), digits, "-" and "/", e.g. "ทต-2567/0012", "R-001"
TICKET_SHAPE = re.compile(r"[0-9A-Za-z\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59]"
                          r"[0-9A-Za-z\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59/\-]*")
# the stored column each short field lands in, and its name for people: a cell longer than the column is refused
STORED_COLUMNS = {"ticket": (Case.__table__.c.ticket, "เลขที่เรื่อง"),
                  "unit": (Case.__table__.c.unit_code, "หน่วยงาน"),
                  "group": (Case.__table__.c.citizen_group, "กลุ่มผู้รับบริการ"),
                  "channel": (Case.__table__.c.channel, "ช่องทาง")}
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*\d{2,4}(?:\D|$)")
_THAI_WORD = re.compile("[\u0E01-\u0E2E][\u0E01-\u0E4E]{2,}")  # three Thai characters in a row, a consonant first
# a Thai vowel or tone mark written after something that is not a Thai letter: Latin-1 accents read as cp874
_STRAY_MARK = re.compile("(?:^|[^\u0E01-\u0E4E])[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]")


@dataclass(frozen=True)
class FileLimits:
    """How large a file may be: on disk, and an XLSX's contents once unzipped (in total and against its zipped size)."""

    file_bytes: int = 100 * 1024 * 1024
    xlsx_expanded_bytes: int = 300 * 1024 * 1024
    xlsx_ratio: float = 100.0
    ratio_from_bytes: int = 1024 * 1024  # small parts may compress further than the ratio


def _size(count: int | float) -> str:
    """A number of bytes as people read it (KB under a megabyte, else MB)."""
    return f"{count / 2**10:,.0f} KB" if count < 2**20 else f"{count / 2**20:,.0f} MB"


def column_limit(name: str) -> tuple[int | None, str]:
    """The stored length of a short field's column (None: unbounded) and the field's name in Thai."""
    column, label = STORED_COLUMNS[name]
    return getattr(column.type, "length", None), label


def check_length(name: str, value: str | None) -> None:
    """A RowError in Thai when the value is longer than the column it is stored in."""
    limit, label = column_limit(name)
    if value and limit is not None and len(value) > limit:
        raise RowError(f"{label} “{value[:40]}{'…' if len(value) > 40 else ''}” ยาวเกิน {limit} ตัวอักษร "
                       f"({len(value)} ตัวอักษร) ระบบจัดเก็บได้ไม่เกิน {limit} ตัวอักษร")

# how spreadsheets name our channels (compared without spaces, dots, dashes or case)
CHANNEL_ALIASES: dict[str, str] = {spelling: code for code, spellings in {
    Channel.LINE: ("line", "ไลน์", "lineoa", "line@", "ไลน์โอเอ", "ไลน์ออฟฟิเชียล"),
    Channel.FACEBOOK: ("facebook", "fb", "เฟซบุ๊ก", "เฟสบุ๊ค", "เฟซบุ๊ค", "เฟสบุ๊ก", "messenger", "แมสเซนเจอร์",
        "เพจ", "inbox"),
    Channel.FACEBOOK_COMMENT: ("facebookcomment", "fbcomment", "comment", "คอมเมนต์", "คอมเมนต์เฟซบุ๊ก",
        "ความคิดเห็นเฟซบุ๊ก", "คอมเมนต์เพจ"),
    "walk_in": ("walkin", "มาด้วยตนเอง", "ติดต่อด้วยตนเอง", "ด้วยตนเอง", "มาติดต่อเอง", "เคาน์เตอร์"),
    "phone": ("phone", "telephone", "โทรศัพท์", "โทร", "1111", "ศูนย์1111", "สายด่วน", "hotline", "callcenter"),
    "letter": ("letter", "หนังสือ", "จดหมาย", "หนังสือราชการ", "ไปรษณีย์"),
    "email": ("email", "อีเมล", "อีเมล์", "mail"),
    "comment_box": ("commentbox", "ตู้รับความคิดเห็น", "ตู้ร้องเรียน", "ตู้รับเรื่องร้องเรียน", "ตู้แสดงความคิดเห็น",
        "ตู้รับฟังความคิดเห็น"),
    "website": ("website", "web", "เว็บไซต์", "เว็บ", "เว็ปไซต์"),
    "other": ("other", "อื่นๆ", "อื่น", "ช่องทางอื่น"),
}.items() for spelling in spellings}
STATUS_ALIASES: dict[str, str] = {spelling: code for code, spellings in {
    Status.NEW: ("new", "open", "pending", "ใหม่", "เรื่องใหม่", "รอดำเนินการ", "ยังไม่ดำเนินการ", "รอรับเรื่อง"),
    Status.ACKNOWLEDGED: ("acknowledged", "ack", "received", "รับเรื่องแล้ว", "รับเรื่อง", "ตอบรับแล้ว"),
    Status.IN_PROGRESS: ("inprogress", "processing", "กำลังดำเนินการ", "อยู่ระหว่างดำเนินการ", "ระหว่างดำเนินการ",
        "ดำเนินการ"),
    Status.RESOLVED: ("resolved", "done", "completed", "complete", "แก้ไขแล้ว", "ดำเนินการแล้ว",
        "ดำเนินการแล้วเสร็จ", "แล้วเสร็จ", "เสร็จสิ้น", "เสร็จแล้ว", "ดำเนินการเรียบร้อย", "เรียบร้อย",
        "แก้ไขเรียบร้อย"),
    Status.CLOSED: ("closed", "close", "ปิดเรื่อง", "ปิดเรื่องแล้ว", "ยุติเรื่อง", "ยุติ", "ยุติเรื่องแล้ว"),
    Status.FORWARDED: ("forwarded", "transferred", "ส่งต่อ", "ส่งต่อหน่วยงานอื่น", "ส่งเรื่องต่อ",
        "ส่งหน่วยงานที่เกี่ยวข้อง"),
    Status.REJECTED: ("rejected", "ไม่รับเรื่อง", "ปฏิเสธ", "ไม่อยู่ในอำนาจหน้าที่"),
}.items() for spelling in spellings}
SATISFACTION_WORDS: dict[str, int] = {"มากที่สุด": 5, "มาก": 4, "ปานกลาง": 3, "น้อย": 2, "น้อยที่สุด": 1,
                                      "ดีมาก": 5, "ดี": 4, "พอใช้": 3, "ควรปรับปรุง": 2}
_CONTROLS = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")
_FLAGS = {"text": "--text-column", "date": "--date-column", "channel": "--channel-column", "unit": "--unit-column",
          "status": "--status-column", "resolved": "--resolved-column", "group": "--group-column",
          "ticket": "--ticket-column", "satisfaction": "--satisfaction-column"}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, a column missing); the message is Thai."""


class RowError(ValueError):
    """One cell of one row is wrong; the message is the Thai reason the row is skipped."""


@dataclass(frozen=True)
class SourceRow:
    """A row as read: its line (CSV line or Excel row number) and its cells in column order."""

    line: int
    cells: tuple[object, ...]


@dataclass
class SourceTable:
    """A file's header and its rows (read lazily); `encoding` for CSV."""

    header: tuple[str, ...]
    rows: Iterator[SourceRow]
    encoding: str | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what (header name, Excel letter or number), as the CLI's options say."""

    text: str
    date: str | None = None
    channel: str | None = None
    channel_value: str | None = None
    unit: str | None = None
    status: str | None = None
    resolved: str | None = None
    group: str | None = None
    ticket: str | None = None
    satisfaction: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """A checked row, ready to become a classified message and a case."""

    line: int
    text: str
    received_at: dt.datetime | None
    channel: str
    unit: str | None
    status: str
    resolved_at: dt.datetime | None
    group: str | None
    ticket: str | None
    satisfaction: int | None
    fingerprint: str


@dataclass(frozen=True)
class SkippedRow:
    """A row left out, with the reason in Thai."""

    line: int
    reason: str


@dataclass(frozen=True)
class DuplicateRow:
    """A row that repeats an earlier row of the same file (or, for the caller, one already imported)."""

    line: int
    fingerprint: str
    first_line: int | None = None


@dataclass
class ImportSummary:
    """What an import did: rows imported, duplicates, and every skipped row with its reason."""

    imported: int = 0
    duplicates: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)

    def add(self, result: ImportRow | SkippedRow | DuplicateRow) -> None:
        """Count one row's outcome (an ImportRow counts as imported: call it after storing)."""
        if isinstance(result, ImportRow):
            self.imported += 1
        elif isinstance(result, DuplicateRow):
            self.duplicates += 1
        else:
            self.skipped.append(result)

    def thai_report(self, *, limit: int = 20) -> str:
        """The summary an officer reads after an import."""
        lines = [(f"นำเข้าแล้ว {self.imported:,} แถว · ซ้ำ (ข้าม) {self.duplicates:,} แถว · "
                  f"ข้ามเพราะข้อมูลไม่ถูกต้อง {len(self.skipped):,} แถว")]
        for row in self.skipped[:limit]:
            lines.append(f"  แถวที่ {row.line}: {row.reason}")
        if len(self.skipped) > limit:
            lines.append(f"  … และอีก {len(self.skipped) - limit:,} แถว")
        return "\n".join(lines)


# ---------------------------------------------------------------- reading files


def detect_encoding(path: Path) -> str:
    """The file's encoding where it is certain: a BOM (UTF-8, UTF-16), valid UTF-8, or cp874 (TIS-620 and Windows Thai)
    when the bytes decode as cp874 and read as Thai; otherwise an ImportFileError naming the problem in Thai."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        thai = codecs.getincrementaldecoder("cp874")()
        seen_thai, tail = False, ""
        try:
            while chunk := handle.read(1 << 20):
                text = thai.decode(chunk)
                if _STRAY_MARK.search(tail + text):
                    raise ImportFileError(
                        f"อ่านไฟล์ {path.name} ไม่ได้: ไฟล์ไม่ใช่ UTF-8 และไม่ใช่ภาษาไทยแบบ TIS-620 "
                        "(น่าจะเป็นรหัสอักขระภาษาอื่น เช่น Latin-1 ซึ่งอ่านแล้วตัวอักษรจะผิด) "
                        "กรุณาบันทึกไฟล์เป็น CSV UTF-8 แล้วนำเข้าใหม่")
                seen_thai, tail = seen_thai or _THAI_WORD.search(text) is not None, text[-1:]
            thai.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError(f"อ่านไฟล์ {path.name} ไม่ได้: ไม่ใช่ข้อความแบบ UTF-8 หรือ TIS-620 "
                                  "(บันทึกไฟล์เป็น CSV UTF-8 แล้วลองใหม่)") from None
    if not seen_thai:
        raise ImportFileError(f"อ่านไฟล์ {path.name} ไม่ได้: ไฟล์ไม่ใช่ UTF-8 และไม่มีอักษรไทยที่ยืนยันได้ว่าเป็น TIS-620 "
                              "จึงไม่ทราบรหัสอักขระที่แน่นอน กรุณาบันทึกไฟล์เป็น CSV UTF-8 แล้วนำเข้าใหม่")
    return "cp874"


def _cell_text(value: object) -> str:
    """A cell as trimmed text (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _CONTROLS.sub("", str(value)).strip()


def _is_blank(cells: Iterable[object]) -> bool:
    """True for a row with nothing in it."""
    return all(_cell_text(cell) == "" for cell in cells)


def _find_header(rows: Iterator[Iterable[object]]) -> tuple[str, ...] | None:
    """The header: the first row with two or more filled cells (a report's title row above it is passed over),
    else the first non-empty row when nothing has two."""
    first: tuple[str, ...] | None = None
    for cells in rows:
        texts = tuple(_cell_text(c) for c in cells)
        filled = sum(1 for t in texts if t)
        if filled >= 2:
            return texts
        if filled and first is None:
            first = texts
    return first


def read_csv(path: Path) -> SourceTable:
    """A CSV file's header and rows, with the line each row starts on (delimiter , ; tab or | detected)."""
    encoding = detect_encoding(path)
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - the rows' generator closes it
    sample = handle.read(64 * 1024)
    handle.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return _csv_table(csv.reader(handle, dialect), name=path.name, close=handle.close, encoding=encoding)


def _csv_table(reader: Iterator[list[str]], *, name: str, close: Callable[[], None],
               encoding: str | None = None) -> SourceTable:
    """Header and lazily read rows of a csv reader, each row with the line it starts on."""
    header = _find_header(reader)
    if header is None:
        close()
        raise ImportFileError(f"ไฟล์ {name} ว่างเปล่า ไม่มีหัวคอลัมน์")

    def rows() -> Iterator[SourceRow]:
        try:
            line = reader.line_num + 1
            for cells in reader:
                if not _is_blank(cells):
                    yield SourceRow(line=line, cells=tuple(cells))
                line = reader.line_num + 1
        except csv.Error as error:
            raise ImportFileError(f"ไฟล์ {name} แถวที่ {reader.line_num}: รูปแบบ CSV ผิด ({error})") from None
        finally:
            close()

    return SourceTable(header=header, rows=rows(), encoding=encoding)


def check_xlsx_expansion(path: Path, *, limits: FileLimits) -> None:
    """Refuse a workbook whose parts unzip to more than the limits allow, from the zip's own directory (nothing is
    unzipped): a small file that expands to gigabytes would hold the import for minutes and exhaust memory."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportFileError(f"เปิดไฟล์ Excel {path.name} ไม่ได้ ({error.__class__.__name__})") from None
    total = sum(part.file_size for part in parts)
    if total > limits.xlsx_expanded_bytes:
        raise ImportFileError(f"ไฟล์ Excel {path.name} เมื่อแตกไฟล์แล้วมีขนาด {_size(total)} "
                              f"เกินที่รับได้ ({_size(limits.xlsx_expanded_bytes)}) "
                              "กรุณาแบ่งไฟล์เป็นหลายไฟล์หรือบันทึกเป็น CSV แล้วนำเข้าใหม่")
    for part in parts:
        if part.file_size >= limits.ratio_from_bytes and part.file_size > limits.xlsx_ratio * max(part.compress_size, 1):
            raise ImportFileError(f"ไฟล์ Excel {path.name} ผิดปกติ: ส่วน {part.filename} ขยายจาก "
                                  f"{_size(part.compress_size)} เป็น {_size(part.file_size)} "
                                  f"(เกิน {limits.xlsx_ratio:,.0f} เท่า) จึงไม่นำเข้า "
                                  "กรุณาตรวจสอบไฟล์หรือบันทึกเป็น CSV แล้วนำเข้าใหม่")


def read_xlsx(path: Path, *, sheet: str | None = None, limits: FileLimits | None = None) -> SourceTable:
    """An Excel workbook's first (or named) sheet: header and rows with their Excel row numbers (the zip's sizes
    checked against the limits before openpyxl reads it, read-only)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_expansion(path, limits=limits or FileLimits())
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise ImportFileError(f"เปิดไฟล์ Excel {path.name} ไม่ได้ ({error.__class__.__name__})") from None
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise ImportFileError(f"ไม่พบแผ่นงาน “{sheet}” ในไฟล์ (มี: {', '.join(workbook.sheetnames)})")
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    cells = enumerate(worksheet.iter_rows(values_only=True), start=1)
    header = _find_header(values for _, values in cells)
    if header is None:
        workbook.close()
        raise ImportFileError(f"แผ่นงาน “{worksheet.title}” ในไฟล์ {path.name} ว่างเปล่า ไม่มีหัวคอลัมน์")

    def rows() -> Iterator[SourceRow]:
        try:
            for number, values in cells:
                if not _is_blank(values):
                    yield SourceRow(line=number, cells=tuple(values))
        finally:
            workbook.close()

    return SourceTable(header=header, rows=rows())


def read_table(path: Path | str, *, sheet: str | None = None, limits: FileLimits | None = None) -> SourceTable:
    """A .csv or .xlsx file's header and rows (a file over the limits refused whole, in Thai)."""
    path = Path(path)
    limits = limits or FileLimits()
    if not path.is_file():
        raise ImportFileError(f"ไม่พบไฟล์ {path}")
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ImportFileError(f"ไฟล์ {path.name} มีขนาด {_size(size)} เกินที่รับได้ "
                              f"({_size(limits.file_bytes)}) กรุณาแบ่งเป็นหลายไฟล์แล้วนำเข้าทีละไฟล์")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet=sheet, limits=limits)
    raise ImportFileError(f"รองรับเฉพาะไฟล์ .csv และ .xlsx (ไฟล์ {path.name}: ถ้าเป็น .xls ให้บันทึกเป็น .xlsx ก่อน)")


# ---------------------------------------------------------------- columns and cells


def _fold(text: str) -> str:
    """A name as compared: NFC, lower case, no spaces, dots, dashes or underscores."""
    return re.sub(r"[\s._\-/]+", "", unicodedata.normalize("NFC", text).translate(THAI_DIGITS).casefold())


def _letter_index(spec: str) -> int | None:
    """The 0-based index of an Excel column letter (A, B, … AA), or None."""
    if not re.fullmatch(r"[A-Za-z]{1,2}", spec):
        return None
    index = 0
    for char in spec.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def resolve_columns(header: Iterable[str], mapping: ColumnMapping) -> dict[str, int]:
    """Each mapped field's column index: by header name, else Excel letter, else 1-based number."""
    header = tuple(header)
    folded = {}
    for index, name in enumerate(header):
        folded.setdefault(_fold(name), index)
    found: dict[str, int] = {}
    for item in fields(mapping):
        spec = getattr(mapping, item.name)
        if item.name == "channel_value" or spec is None:
            continue
        spec = str(spec).strip()
        index = folded.get(_fold(spec))
        if index is None:
            letter = _letter_index(spec)
            if letter is not None and letter < len(header):
                index = letter
            elif spec.isdigit() and 1 <= int(spec) <= len(header):
                index = int(spec) - 1
        if index is None:
            shown = ", ".join(f"“{h}”" for h in header if h) or "ไม่มี"
            raise ImportFileError(f"ไม่พบคอลัมน์ “{spec}” ({_FLAGS[item.name]}) ในไฟล์ คอลัมน์ที่มี: {shown}")
        found[item.name] = index
    if mapping.channel is not None and mapping.channel_value is not None:
        raise ImportFileError("เลือกได้อย่างใดอย่างหนึ่ง: --channel-column หรือ --channel")
    return found


def parse_channel(value: object, *, allowed: Collection[str] = CHANNEL_CODES,
                  names: Mapping[str, str] | None = None) -> str:
    """Our channel code for a channel as spreadsheets write it: a common spelling, the code, or (names: code → the
    agency's own Thai name, e.g. "โทรศัพท์ / ศูนย์ 1111") the name the agency configured."""
    text = _cell_text(value)
    if not text:
        raise RowError("ไม่มีช่องทางที่รับเรื่อง")
    folded = _fold(text)
    configured = {_fold(name): code for code, name in (names or {}).items()}
    code = (configured.get(folded) or CHANNEL_ALIASES.get(folded)
            or (text.lower() if text.lower() in CHANNEL_CODES else None))
    if code is None or code not in allowed:
        raise RowError(f"ไม่รู้จักช่องทาง “{text}” (ใช้ได้ เช่น LINE, Facebook, โทรศัพท์, มาด้วยตนเอง, หนังสือ, อีเมล, "
                       f"ตู้รับความคิดเห็น, เว็บไซต์ หรือรหัส {', '.join(sorted(allowed))})")
    return code


def parse_status(value: object) -> str:
    """Our status for a status written in Thai or English (our own Thai names included: exports import back)."""
    text = _cell_text(value)
    code = STATUS_ALIASES.get(_fold(text)) or _OUR_STATUS_NAMES.get(_fold(text))
    if code is None:
        raise RowError(f"ไม่รู้จักสถานะ “{text}” (ใช้ได้ เช่น รับเรื่องแล้ว, กำลังดำเนินการ, แก้ไขแล้ว, ปิดเรื่อง, "
                       "ส่งต่อ, ไม่รับเรื่อง)")
    return code


def parse_satisfaction(value: object) -> int | None:
    """A satisfaction score 1–5 from a number or a Thai word (มากที่สุด … น้อยที่สุด); None when empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _cell_text(value).translate(THAI_DIGITS)
        if not text:
            return None
        word = re.sub(r"^(?:ความ)?(?:พึง)?พอใจ\s*", "", text.replace(" ", ""))
        if word in SATISFACTION_WORDS:
            return SATISFACTION_WORDS[word]
        try:
            number = float(text)
        except ValueError:
            raise RowError(f"คะแนนความพึงพอใจ “{text}” ต้องเป็นตัวเลข 1–5 หรือ มากที่สุด/มาก/ปานกลาง/น้อย/น้อยที่สุด") \
                from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise RowError(f"คะแนนความพึงพอใจ {number:g} ต้องเป็นจำนวนเต็ม 1–5")
    return int(number)


_OUR_STATUS_NAMES = {_fold(name): code for code, name in STATUS_NAMES.items()}


def unit_lookup(units: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A lookup from every way a unit is written (code, name, name without its bracketed part) to its code."""
    lookup: dict[str, str] = {}
    for code, name in units:
        for spelling in (code, name, re.sub(r"\s*\(.*?\)\s*", "", name)):
            if spelling:
                lookup.setdefault(_fold(spelling), code)
    return lookup


def row_fingerprint(*, text: str, received_at: dt.datetime | None, channel: str, ticket: str | None) -> str:
    """A stable hash of what identifies a matter: its text, received minute (UTC), channel and ticket."""
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    moment = received_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M") if received_at else ""
    payload = "\x1f".join((normal, moment, channel, ticket or ""))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------- checking rows


@dataclass(frozen=True)
class _Context:
    """What every row is checked against."""

    columns: dict[str, int]
    channel: str | None
    channels: Collection[str]
    channel_names: Mapping[str, str] | None
    units: Mapping[str, str] | None
    groups: Mapping[str, str] | None
    now: dt.datetime
    default_status: str
    era: Era


def _cell(cells: tuple[object, ...], columns: dict[str, int], name: str) -> object:
    """The cell of a field, or None when the field has no column or the row is short."""
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def _moment(value: object, *, what: str, era: Era, now: dt.datetime) -> dt.datetime | None:
    """A date cell as UTC, None when empty; a RowError naming the column otherwise: a month past 12 in
    day/month/year (never swapped), a year outside พ.ศ. 2500 to next year, or a day in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and (numeric := _NUMERIC_DATE.match(value.translate(THAI_DIGITS))):
        day, month = int(numeric.group(1)), int(numeric.group(2))
        if month > 12:
            hint = f" (ถ้าหมายถึงวันที่ {month} เดือน {day} ต้องเขียนเป็น {month}/{day}/ปี)" if day <= 12 else ""
            raise RowError(f"{what}: “{value.strip()}” ไม่ใช่วันที่แบบ วัน/เดือน/ปี เพราะไม่มีเดือนที่ {month}{hint}")
    try:
        moment = parse_thai_datetime(value, two_digit_era=era)
    except ThaiDateError as error:
        raise RowError(f"{what}: {error}") from None
    last_year = now.astimezone(moment.tzinfo).year + 1
    if not FIRST_PLAUSIBLE_YEAR <= moment.year <= last_year:
        raise RowError(f"{what}: ปี พ.ศ. {moment.year + 543} ไม่น่าจะถูกต้อง (รับได้ พ.ศ. {FIRST_PLAUSIBLE_YEAR + 543}"
                       f"–{last_year + 543} หรือ ค.ศ. {FIRST_PLAUSIBLE_YEAR}–{last_year})")
    moment = moment.astimezone(dt.UTC)
    if moment > now + dt.timedelta(days=1):
        raise RowError(f"{what} {day_label(moment, style='long')} อยู่ในอนาคต")
    return moment


def _check(row: SourceRow, context: _Context) -> ImportRow:
    """One row checked and normalised (a RowError with the Thai reason otherwise)."""
    columns, cells = context.columns, row.cells
    text = _CONTROLS.sub(" ", _cell_text(_cell(cells, columns, "text")))
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        raise RowError("ไม่มีข้อความเรื่องร้องเรียน")
    if len(text) > MAX_TEXT:
        raise RowError(f"ข้อความยาวเกิน {MAX_TEXT:,} ตัวอักษร ({len(text):,})")
    received = None
    if "date" in columns:
        received = _moment(_cell(cells, columns, "date"), what="วันที่รับเรื่อง", era=context.era, now=context.now)
        if received is None:
            raise RowError("ไม่มีวันที่รับเรื่อง")
    channel = context.channel or parse_channel(_cell(cells, columns, "channel"), allowed=context.channels,
                                               names=context.channel_names)
    resolved = _moment(_cell(cells, columns, "resolved"), what="วันที่แก้ไขเสร็จ", era=context.era, now=context.now)
    if resolved is not None and received is not None and resolved < received - dt.timedelta(days=1):
        raise RowError(f"วันที่แก้ไขเสร็จ ({day_label(resolved)}) อยู่ก่อนวันที่รับเรื่อง ({day_label(received)})")
    status_cell = _cell_text(_cell(cells, columns, "status"))
    if status_cell:
        status = parse_status(status_cell)
    else:
        status = Status.RESOLVED if resolved is not None else context.default_status
    if status in OPEN_STATUSES:
        resolved = None  # an open matter has no resolution yet, whatever the file says
    unit = None
    unit_cell = _cell_text(_cell(cells, columns, "unit"))
    if unit_cell:
        unit = context.units.get(_fold(unit_cell)) if context.units is not None else unit_cell
        if unit is None:
            raise RowError(f"ไม่รู้จักหน่วยงาน “{unit_cell}” (ใช้ชื่อหรือรหัสหน่วยงานตามที่ตั้งค่าไว้)")
    group = None
    group_cell = _cell_text(_cell(cells, columns, "group"))
    if group_cell:
        group = context.groups.get(_fold(group_cell)) if context.groups is not None else group_cell
        if group is None:
            raise RowError(f"ไม่รู้จักกลุ่มผู้รับบริการ “{group_cell}” "
                           f"(ใช้ได้: {', '.join(sorted(set(context.groups.values())))})")
    ticket = _cell_text(_cell(cells, columns, "ticket")) or None
    if ticket is not None and not TICKET_SHAPE.fullmatch(ticket):
        raise RowError(f"เลขที่เรื่อง “{ticket[:40]}{'…' if len(ticket) > 40 else ''}” ไม่ใช่รูปแบบเลขที่เรื่อง "
                       "(ใช้ได้เฉพาะตัวอักษร ตัวเลข เครื่องหมาย - และ / เช่น R-001 หรือ ทต-2567/0012) จึงไม่นำเข้าแถวนี้")
    for name, value in (("ticket", ticket), ("unit", unit), ("group", group), ("channel", channel)):
        check_length(name, value)
    satisfaction = parse_satisfaction(_cell(cells, columns, "satisfaction"))
    return ImportRow(line=row.line, text=text, received_at=received, channel=channel, unit=unit, status=status,
                     resolved_at=resolved, group=group, ticket=ticket, satisfaction=satisfaction,
                     fingerprint=row_fingerprint(text=text, received_at=received, channel=channel, ticket=ticket))


def prepare_rows(table: SourceTable, mapping: ColumnMapping, *, units: Mapping[str, str] | None = None,
                 groups: Collection[str] | None = None, channels: Collection[str] = CHANNEL_CODES,
                 channel_names: Mapping[str, str] | None = None, now: dt.datetime | None = None,
                 default_status: str = Status.CLOSED,
                 two_digit_era: Era | None = None) -> Iterator[ImportRow | SkippedRow | DuplicateRow]:
    """Every row of a table checked: an ImportRow, a SkippedRow with its Thai reason, or a DuplicateRow.

    `units` maps spellings to unit codes (see `unit_lookup`); `groups` are the configured citizen groups; `channels`
    the channel codes allowed and `channel_names` the agency's own names for them (code → name); two-digit
    years follow `two_digit_era`, or what the date columns' first 500 values say (`detect_era`). Without a status
    column a row is "resolved" when it has a resolution date, else `default_status` (history is usually closed)."""
    columns = resolve_columns(table.header, mapping)
    if default_status not in CASE_STATUSES:
        raise ImportFileError(f"สถานะเริ่มต้น “{default_status}” ไม่ถูกต้อง")
    fixed_channel = None
    if mapping.channel_value is not None:
        try:
            fixed_channel = parse_channel(mapping.channel_value, allowed=channels, names=channel_names)
        except RowError as error:
            raise ImportFileError(f"--channel: {error}") from None
    elif "channel" not in columns:
        raise ImportFileError("ต้องระบุช่องทาง: --channel-column คอลัมน์ หรือ --channel ชื่อช่องทาง")
    rows: Iterator[SourceRow] = table.rows
    era = two_digit_era
    if era is None:
        head = list(islice(rows, _ERA_SAMPLE))
        rows = chain(head, rows)
        date_columns = [columns[name] for name in ("date", "resolved") if name in columns]
        era = detect_era(row.cells[i] for row in head for i in date_columns if i < len(row.cells))
    context = _Context(
        columns=columns, channel=fixed_channel, channels=channels, channel_names=channel_names, units=units,
        groups={_fold(g): g for g in groups} if groups is not None else None,
        now=now or dt.datetime.now(tz=dt.UTC), default_status=default_status, era=era)
    seen: dict[str, int] = {}
    for row in rows:
        try:
            checked = _check(row, context)
        except RowError as error:
            yield SkippedRow(line=row.line, reason=str(error))
            continue
        if checked.channel not in channels:
            yield SkippedRow(line=row.line, reason=f"ช่องทาง “{checked.channel}” ไม่ได้เปิดใช้ในหน่วยงานนี้")
            continue
        first = seen.setdefault(checked.fingerprint, row.line)
        if first != row.line:
            yield DuplicateRow(line=row.line, fingerprint=checked.fingerprint, first_line=first)
            continue
        yield checked


def rows_from_text(content: str, *, name: str = "ข้อมูลที่วาง") -> SourceTable:
    """A table from CSV text in memory (pasted data, tests)."""
    return _csv_table(csv.reader(io.StringIO(content)), name=name, close=lambda: None)
