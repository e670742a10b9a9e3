"""The PMQA category 3 report as a plain dict: the one shape the report builder fills and every renderer reads.

The same dict is the JSON of `GET /api/reports/pmqa` (issue 11, section 5) and the input of `render_xlsx`,
`render_pdf`, `render_csv_zip` and `render_csv`. Renderers compute nothing but presentation (shares of a
column total, sums in a "รวม" row); every count, share, time and rate comes from the builder.

Conventions
- Years are Buddhist Era fiscal years (Oct–Sep): fiscal year 2569 runs 2025-10-01 … 2026-09-30.
- `by_year` maps a B.E. fiscal year *as a string* (JSON keys are strings) to a count: {"2567": 12, "2568": 40,
  "2569": 51}; every year of `years` is present (0 when nothing arrived).
- Shares and rates are fractions of 1 (0.42, not 42); `None` where the denominator is 0 ("–" when rendered).
- Durations are working days (Mon–Fri, Asia/Bangkok, minus holidays) as floats; `None` when nothing to measure.
- Dates are ISO strings: "2026-02-15" for a day, "2026-11-21T14:05:00+07:00" for a moment. Renderers show them
  in Thai with the Buddhist Era ("15 ก.พ. 2569").
- Codes (`channel`, `intent`, `unit`) come with their Thai `label` as the agency configures it; a citizen group is
  keyed by its configured Thai name (`group`). Nothing in the report identifies a citizen (PDPA): tickets are the
  finest detail.
- `tables` gives every table its Thai title, its period and its source, keyed by table id (`TABLE_IDS`).
  `TABLE_TITLES` holds the titles the report uses; the builder copies them (or the agency's wording).

Table ids, in report order, and where their rows live:
    PMQA 3.1 listening
    channels                 report["channels"]                          (3 fiscal years, share of each year's total)
    channels_by_month        report["channels"][i]["by_month"]          optional: only when rows carry `by_month`
    intents                  report["intents"]
    categories               report["categories"]                       optional: the agency's complaint categories
    groups                   report["groups"]
    topics                   report["topics"]
    units                    report["units"]
    PMQA 3.2 satisfaction and what was improved
    satisfaction_by_channel  report["satisfaction"]["by_channel"] (+ "overall")
    satisfaction_by_group    report["satisfaction"]["by_group"] (+ "overall")
    satisfaction_reasons     report["satisfaction"]["reasons"]
    improvements             report["improvements"]
    PMQA 3.3 services adapted per citizen group
    group_services           report["improvements"] with a `citizen_group`
    PMQA 3.4 complaints against the standard
    standards                report["standards"]                        optional: the published service standards
    handling_by_unit         report["handling"]["by_unit"]  (+ "total"); each row's `by_year`: 3 fiscal years
    handling_by_channel      report["handling"]["by_channel"] (+ "total"); each row's `by_year`: 3 fiscal years
    handling_by_category     report["handling"]["by_category"][i]["by_year"]   (3 fiscal years)
    complaint_flow           report["complaint_flow"]["steps"] (+ the register's old and new processes)
An optional table is left out when its key is missing (or, for channels_by_month, when no row has `by_month`);
a required table with no rows is still shown, saying "ไม่มีข้อมูลในปีงบประมาณนี้".
"""
# No `from __future__ import annotations` here: Python 3.11 sees NotRequired only in evaluated annotations.
from typing import NotRequired, TypedDict

TABLE_IDS: tuple[str, ...] = (
    "channels", "channels_by_month", "intents", "categories", "groups", "topics", "units",
    "satisfaction_by_channel", "satisfaction_by_group", "satisfaction_reasons", "improvements", "group_services",
    "standards", "handling_by_unit", "handling_by_channel", "handling_by_category", "complaint_flow",
)
OPTIONAL_TABLES: frozenset[str] = frozenset({"channels_by_month", "categories", "standards", "handling_by_category",
                                               "complaint_flow"})

TABLE_TITLES: dict[str, str] = {
    "channels": "จำนวนเรื่องจำแนกตามช่องทางการรับฟัง เปรียบเทียบ 3 ปีงบประมาณ",
    "channels_by_month": "จำนวนเรื่องรายเดือน จำแนกตามช่องทางการรับฟัง",
    "intents": "จำนวนเรื่องจำแนกตามประเภทเรื่อง เปรียบเทียบ 3 ปีงบประมาณ",
    "categories": "เรื่องร้องเรียนจำแนกตามหมวดเรื่อง เปรียบเทียบ 3 ปีงบประมาณ",
    "groups": "จำนวนเรื่องจำแนกตามกลุ่มผู้รับบริการ เปรียบเทียบ 3 ปีงบประมาณ",
    "units": "จำนวนเรื่องจำแนกตามหน่วยงานผู้รับผิดชอบ",
    "standards": "มาตรฐานระยะเวลาการให้บริการที่ประกาศ",
    "handling_by_unit": "การจัดการข้อร้องเรียนเทียบกับมาตรฐานระยะเวลา จำแนกตามหน่วยงาน เปรียบเทียบ 3 ปีงบประมาณ",
    "handling_by_channel": "การจัดการข้อร้องเรียนเทียบกับมาตรฐานระยะเวลา จำแนกตามช่องทาง เปรียบเทียบ 3 ปีงบประมาณ",
    "complaint_flow": "กระบวนการจัดการข้อร้องเรียน 7 ขั้นตอน: จำนวนเรื่องและระยะเวลาระหว่างขั้นตอน",
    "handling_by_category": "การตอบครั้งแรกและการแล้วเสร็จเทียบกับมาตรฐาน จำแนกตามหมวดเรื่องร้องเรียน เปรียบเทียบ 3 ปีงบประมาณ",
    "topics": "ประเด็นที่ประชาชนแจ้งมากที่สุดในแต่ละไตรมาส",
    "satisfaction_by_channel": "ระดับความพึงพอใจจำแนกตามช่องทาง เปรียบเทียบ 3 ปีงบประมาณ",
    "satisfaction_by_group": "ระดับความพึงพอใจจำแนกตามกลุ่มผู้รับบริการ เปรียบเทียบ 3 ปีงบประมาณ",
    "satisfaction_reasons": "เหตุผลของความไม่พึงพอใจ",
    "improvements": "ทะเบียนการปรับปรุงกระบวนการจากเสียงของประชาชน",
    "group_services": "บริการที่ปรับให้เหมาะกับกลุ่มผู้รับบริการ",
}

# What each table counts, written once: every format shows it under the table ("นิยาม: …").
_HANDLING = ("เฉพาะเรื่องร้องเรียน ตามปีงบประมาณที่รับ ตอบครั้งแรกภายในมาตรฐาน = ตอบผู้ร้องภายในขั้นแรกของมาตรฐาน "
             "ภายในมาตรฐาน = แล้วเสร็จไม่เกินกำหนดสุดท้ายตามมาตรฐานที่ใช้กับเรื่องนั้น "
             "ตอบรับ = วันทำการจากรับเรื่องถึงการตอบกลับครั้งแรกของเจ้าหน้าที่ แล้วเสร็จ = วันทำการจากรับเรื่องถึงดำเนินการแล้วเสร็จ "
             "ร้องเรียนซ้ำ = {repeat_rule}")
_SATISFACTION = ("แบบสำรวจที่ส่งถึงผู้ร้องเมื่อดำเนินการแล้วเสร็จ นับตามปีงบประมาณที่ส่ง อัตราการตอบ = ผู้ตอบ ÷ แบบสำรวจที่ส่ง "
                 "คะแนน 5 ถึง 1 และระดับคิดเป็นสัดส่วนของผู้ตอบ (มาก = 4–5 คะแนน ปานกลาง = 3 น้อย = 1–2)")
TABLE_DEFINITIONS: dict[str, str] = {
    "channels": "เรื่องทุกประเภทที่รับในแต่ละปีงบประมาณ นับหนึ่งครั้งต่อหนึ่งเลขที่เรื่อง ตามช่องทางที่รับและวันที่รับ (เวลาประเทศไทย)",
    "channels_by_month": "เรื่องทุกประเภทที่รับในปีงบประมาณ ตามเดือนที่รับ (เวลาประเทศไทย) และช่องทางที่รับ",
    "intents": "เรื่องทุกเรื่องที่รับ ตามประเภทที่ระบบจำแนกหรือที่เจ้าหน้าที่แก้ไขล่าสุด",
    "categories": "เฉพาะเรื่องร้องเรียน ตามหมวดแรกของหน่วยงานที่คำสำคัญตรงกับข้อความหรือประเด็นของเรื่อง",
    "groups": "เรื่องทุกเรื่องที่รับ ตามกลุ่มผู้รับบริการที่เจ้าหน้าที่หรือประชาชนระบุ เรื่องที่ไม่ได้ระบุนับเป็น “ไม่ระบุ”",
    "topics": "ประเด็นที่มีเรื่องมากที่สุด 5 อันดับในแต่ละไตรมาส นับเรื่องทุกประเภทที่ระบบระบุประเด็นได้",
    "units": "เรื่องที่รับในปีงบประมาณ ตามหน่วยงานที่รับผิดชอบปัจจุบัน แล้วเสร็จ = ดำเนินการแล้วเสร็จหรือปิดเรื่องแล้ว",
    "satisfaction_by_channel": _SATISFACTION + " จำแนกตามช่องทางที่รับเรื่อง",
    "satisfaction_by_group": _SATISFACTION + " จำแนกตามกลุ่มผู้รับบริการของเรื่อง",
    "satisfaction_reasons": "เหตุผลหลักที่ผู้ให้ 1–2 คะแนนเลือก สัดส่วนคิดจากจำนวนผู้ที่ให้เหตุผล",
    "improvements": "รายการในทะเบียนการปรับปรุงที่เริ่มใช้กระบวนการใหม่ในปีงบประมาณ",
    "group_services": ("รายการในทะเบียนการปรับปรุงของปีงบประมาณที่ระบุกลุ่มผู้รับบริการที่ได้รับการปรับบริการ "
                       "จัดตามกลุ่ม (รายการที่ใช้กับทุกกลุ่มไม่นับในตารางนี้)"),
    "standards": "มาตรฐานระยะเวลาที่หน่วยงานประกาศ ณ วันที่จัดทำรายงาน นับเป็นวันทำการ",
    "handling_by_unit": _HANDLING,
    "handling_by_channel": _HANDLING,
    "complaint_flow": ("เรื่องร้องเรียนที่รับในปีงบประมาณ ขั้นตอนอ่านจากประวัติการดำเนินการของแต่ละเรื่อง "
                       "(เรื่องที่ถึงขั้นตอนหลังนับว่าผ่านขั้นตอนก่อนหน้าแล้ว) ระยะเวลา = มัธยฐานวันทำการจากขั้นตอนก่อนหน้า "
                       "เฉพาะเรื่องที่มีเวลาของทั้งสองขั้นตอน"),
    "handling_by_category": ("เฉพาะเรื่องร้องเรียน ตามหมวดของหน่วยงานและปีงบประมาณที่รับ ตอบครั้งแรกภายในมาตรฐาน = "
                             "เจ้าหน้าที่ตอบผู้ร้องครั้งแรกภายในขั้นแรกของมาตรฐาน (เช่น 5 วันทำการ) แล้วเสร็จภายในมาตรฐาน = "
                             "แล้วเสร็จไม่เกินกำหนดสุดท้ายของมาตรฐาน (เช่น 20 วันทำการ) ร้อยละคิดจากเรื่องที่รับ"),
}


class Period(TypedDict):
    """Inclusive dates the figures cover, ISO "YYYY-MM-DD"."""

    start: str
    end: str


class TableNote(TypedDict):
    """What a reader must know about one table."""

    title: str              # Thai title, e.g. TABLE_TITLES["channels"]
    period: Period          # e.g. {"start": "2023-10-01", "end": "2026-09-30"} for a 3-year table
    source: str             # Thai, e.g. "ระบบฟังเสียง: เรื่องที่บันทึกทุกช่องทาง ณ วันที่จัดทำรายงาน"
    definition: NotRequired[str]  # Thai: what the table counts (TABLE_DEFINITIONS)


class Coverage(TypedDict):
    first: str              # ISO day of the first matter received in the fiscal year
    last: str               # ISO day of the last one


class FiscalYear(TypedDict):
    """One compared fiscal year: its bounds, the days the data covers, and whether it covers the year only in part."""

    year: int               # B.E.
    start: str              # ISO first day (1 October)
    end: str                # ISO last day (30 September)
    coverage: Coverage | None  # None: nothing received that year
    partial: bool           # the history begins inside the year (after its first week) or the year is not over


class ChannelRow(TypedDict):
    channel: str            # code: line, facebook, facebook_comment, walk_in, phone, letter, email, comment_box, ...
    label: str              # Thai name, e.g. "มาด้วยตนเอง"
    offline: NotRequired[bool]          # True for channels an officer records (walk-in, phone, letter, ...)
    by_year: dict[str, int]
    by_month: NotRequired[list[int]]    # 12 counts of `fiscal_year`, October first


class IntentRow(TypedDict):
    intent: str             # complaint, suggestion, question, praise, other
    label: str              # ร้องเรียน, ข้อเสนอแนะ, สอบถาม, ชมเชย, อื่น ๆ
    by_year: dict[str, int]


class CategoryRow(TypedDict):
    category: str           # the agency's complaint category code (or its name)
    label: str
    by_year: dict[str, int]


class GroupRow(TypedDict):
    group: str              # the group's configured Thai name, e.g. "ผู้สูงอายุ/ผู้พิการ"; "ไม่ระบุ" when unknown
    by_year: dict[str, int]


class UnitRow(TypedDict):
    """Matters of `fiscal_year` by the unit that holds them now."""

    unit: str
    label: str
    received: int
    resolved: int           # resolved or closed
    open: int               # not yet resolved
    overdue: int            # open past its resolution deadline, at the report's `as_of`


class StandardRow(TypedDict):
    unit: str | None        # None: the agency-wide default
    label: str              # unit's Thai name or "ทุกหน่วยงาน"
    matter: str             # Thai kind of matter, e.g. "ร้องเรียน", "ไฟฟ้าส่องสว่างดับ"
    acknowledge_days: int | None
    resolve_days: int
    stages: NotRequired[list[int]]      # e.g. [5, 20]: a first and a second stage, in working days


class HandlingFigures(TypedDict):
    """Complaints of `fiscal_year` (intent complaint) against the service standard that applied to each."""

    received: int
    resolved: int
    within_standard: int                # resolved no later than its resolution standard
    within_standard_share: float | None  # within_standard / received
    response_days_median: float | None   # received → first officer response
    response_days_p90: float | None
    resolution_days_median: float | None  # received → resolved
    resolution_days_p90: float | None
    first_answer_within: NotRequired[int]               # first officer answer within the standard's first stage
    first_answer_within_share: NotRequired[float | None]  # first_answer_within / received
    repeat: int             # repeat complaints among `received` (see Handling.repeat_rule)
    by_year: NotRequired[dict[str, "HandlingFigures"]]  # every compared year (the row's own figures: the last)


class UnitHandlingRow(HandlingFigures):
    unit: str
    label: str


class ChannelHandlingRow(HandlingFigures):
    channel: str
    label: str


class CategoryHandlingRow(TypedDict):
    category: str
    label: str
    by_year: dict[str, HandlingFigures]


class Handling(TypedDict):
    by_unit: list[UnitHandlingRow]
    by_channel: list[ChannelHandlingRow]
    by_category: NotRequired[list[CategoryHandlingRow]]
    total: HandlingFigures  # all complaints of the year (medians and P90 over all of them, not of the rows)
    repeat_rule: str        # Thai: the rule of reports.repeats (same citizen or place, same problem, while open or soon after)


class TopicItem(TypedDict):
    topic: str              # masked Thai phrase, e.g. "ไฟฟ้าส่องสว่างดับ"
    count: int
    unit_label: NotRequired[str]        # the unit most of these went to


class QuarterTopics(TypedDict):
    quarter: int            # 1..4 of `fiscal_year`: 1 = ต.ค.–ธ.ค.
    topics: list[TopicItem]  # most frequent first


class SatisfactionFigures(TypedDict):
    """Answers to the 5-point survey: high = 4–5, medium = 3, low = 1–2, as shares of `responses`."""

    high: float | None
    medium: float | None
    low: float | None
    responses: int
    asked: int              # surveys sent
    response_rate: float | None          # responses / asked
    mean_score: NotRequired[float | None]  # 1–5
    levels: NotRequired[dict[str, int]]    # answers per score "5" … "1"
    by_year: NotRequired[dict[str, "SatisfactionFigures"]]  # every compared year (the row's own figures: the last)


class ChannelSatisfactionRow(SatisfactionFigures):
    channel: str
    label: str


class GroupSatisfactionRow(SatisfactionFigures):
    group: str              # the group's configured name (it is its own label)


class ReasonRow(TypedDict):
    reason: str             # Thai, e.g. "ใช้เวลาดำเนินการนาน"
    count: int
    share: float | None     # of all reasons given


class Satisfaction(TypedDict):
    by_channel: list[ChannelSatisfactionRow]
    by_group: list[GroupSatisfactionRow]
    overall: SatisfactionFigures
    reasons: list[ReasonRow]


class ImprovementRow(TypedDict):
    """One entry of the improvement register dated in `fiscal_year`."""

    date: str               # ISO day the new process started
    unit: str
    unit_label: str
    issue: str              # what was heard, in Thai
    linked_to: str          # Thai: the trending issue, tickets or satisfaction finding it came from
    old_process: str        # Thai description of the old process
    old_steps: int | None
    old_days: float | None
    new_process: str
    new_steps: int | None
    new_days: float | None
    evidence: str           # Thai: order, notice, photo, link...
    citizen_group: NotRequired[str | None]  # the citizen group the service was adapted for (PMQA 3.3)


class FlowStep(TypedDict):
    """One of the 7 steps of the complaint flow, for the complaints received in `fiscal_year`."""

    step: str               # receive, register, route, acknowledge, act, answer, close
    label: str              # Thai, numbered: "4. แจ้งรับเรื่องและตอบผู้ร้องครั้งแรก"
    reached: int            # complaints that reached this step (or a later one)
    reached_share: float | None
    days_from_previous_median: float | None  # working days from the step before, where both are known
    measured: int           # complaints with both moments


class FlowImprovement(TypedDict):
    issue: str
    unit_label: str
    old_steps: int | None
    old_days: float | None
    new_steps: int | None
    new_days: float | None


class ComplaintFlow(TypedDict):
    steps: list[FlowStep]
    improvements: list[FlowImprovement]  # the register's old and new processes of the year, beside the flow


class PmqaReport(TypedDict):
    fiscal_year: int        # B.E., e.g. 2569
    years: list[int]        # compared fiscal years, oldest first, ending with fiscal_year: [2567, 2568, 2569]
    fiscal_years: NotRequired[list[FiscalYear]]  # the same years with their coverage and `partial`
    agency_name: str        # e.g. "เทศบาลตำบลฟังเสียง"
    scope: str              # whose data: "ทุกหน่วยงาน", or "เฉพาะกองช่าง" for an officer's report
    generated_at: str       # ISO moment with offset
    as_of: str              # ISO day the data runs to (the end of the fiscal year once it is over)
    tables: dict[str, TableNote]   # one note per table shown
    channels: list[ChannelRow]
    intents: list[IntentRow]
    categories: NotRequired[list[CategoryRow]]
    groups: list[GroupRow]
    units: list[UnitRow]
    standards: NotRequired[list[StandardRow]]
    handling: Handling
    topics: list[QuarterTopics]
    satisfaction: Satisfaction
    improvements: list[ImprovementRow]
    complaint_flow: NotRequired[ComplaintFlow]
