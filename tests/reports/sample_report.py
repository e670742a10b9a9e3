"""A realistic PMQA category 3 report for a municipality, fiscal years 2567–2569, in the shape `reports.shape` defines.

Counts are written out (or derived by plain sums below) so tests can check every rendered figure exactly.
"""
from __future__ import annotations

import copy
from typing import Any

from reports.flow import STEPS
from reports.shape import TABLE_IDS, TABLE_TITLES

FISCAL_YEAR = 2569
YEARS = (2567, 2568, 2569)
AGENCY = "เทศบาลตำบลฟังเสียง"
THREE_YEARS = {"start": "2023-10-01", "end": "2026-09-30"}
ONE_YEAR = {"start": "2025-10-01", "end": "2026-09-30"}
CASES = "ระบบฟังเสียง: เรื่องที่บันทึกทุกช่องทาง (ปีงบประมาณ 2567–2568 นำเข้าจากทะเบียนรับเรื่องเดิมของเทศบาล)"
SURVEY = ("ระบบฟังเสียง: แบบสำรวจความพึงพอใจหลังดำเนินการแล้วเสร็จ (LINE/Messenger) "
          "และแบบสอบถามทางโทรศัพท์หรือกระดาษที่เจ้าหน้าที่บันทึก")

# code, Thai name, off-line, counts 2567/2568/2569
CHANNELS = (
    ("line", "LINE Official Account", False, (412, 1187, 1630)),
    ("facebook", "Facebook Messenger", False, (236, 544, 702)),
    ("facebook_comment", "ความคิดเห็นบนเพจ Facebook", False, (98, 301, 355)),
    ("walk_in", "มาด้วยตนเอง", True, (520, 468, 431)),
    ("phone", "โทรศัพท์ / ศูนย์ 1111", True, (610, 587, 540)),
    ("letter", "หนังสือ", True, (74, 61, 48)),
    ("email", "อีเมล", True, (35, 52, 67)),
    ("comment_box", "ตู้รับความคิดเห็น", True, (41, 33, 29)),
    ("website", "เว็บไซต์เทศบาล", True, (88, 120, 96)),
    ("other", "ช่องทางอื่น ๆ", True, (12, 9, 14)),
)
YEAR_TOTALS = tuple(sum(row[3][index] for row in CHANNELS) for index in range(3))  # (2126, 3362, 3912)
# Share of each fiscal-year month (Oct … Sep): rains and floods in Oct and Aug–Sep, quiet at New Year and Songkran.
MONTH_WEIGHTS = (11, 8, 6, 7, 7, 8, 6, 8, 9, 9, 11, 10)

INTENTS = (
    ("complaint", "ร้องเรียน", (1050, 1612, 1786)),
    ("suggestion", "ข้อเสนอแนะ", (214, 352, 421)),
    ("question", "สอบถาม", (640, 1041, 1265)),
    ("praise", "ชมเชย", (96, 158, 203)),
)
CATEGORIES = (
    ("roads", "ถนน ทางเท้า และสะพานชำรุด", (301, 455, 498)),
    ("lights", "ไฟฟ้าส่องสว่างสาธารณะ", (188, 296, 341)),
    ("waste", "ขยะและความสะอาด", (240, 371, 402)),
    ("drains", "ท่อระบายน้ำและน้ำท่วมขัง", (129, 204, 236)),
    ("nuisance", "เหตุรำคาญ เสียง กลิ่น ควัน", (101, 158, 173)),
    ("service", "การให้บริการของเจ้าหน้าที่", (91, 128, 136)),
)
GROUPS = (
    ("ประชาชนทั่วไป", (1502, 2201, 2465)),
    ("ผู้ประกอบการ", (188, 305, 352)),
    ("ผู้สูงอายุ/ผู้พิการ", (201, 364, 441)),
    ("นักเรียน/นักศึกษา", (47, 120, 158)),
    ("หน่วยงานภาครัฐ", (36, 51, 62)),
    ("องค์กรชุมชน/ภาคประชาสังคม", (59, 92, 118)),
)
# code, Thai name, received, resolved, overdue (of the open ones) in 2569
UNITS = (
    ("public_works", "กองช่าง", 1320, 1198, 37),
    ("environment", "กองสาธารณสุขและสิ่งแวดล้อม", 905, 861, 12),
    ("disaster", "งานป้องกันและบรรเทาสาธารณภัย", 312, 305, 2),
    ("civil_registration", "งานทะเบียนราษฎรและบัตรประจำตัวประชาชน", 402, 399, 0),
    ("revenue", "กองคลัง (งานจัดเก็บรายได้)", 288, 280, 3),
    ("social_welfare", "กองสวัสดิการสังคม", 371, 344, 9),
    ("general_affairs", "สำนักปลัด (งานบริหารทั่วไป)", 214, 207, 1),
    ("triage", "ศูนย์รับเรื่องราวร้องทุกข์ (คัดกรอง)", 100, 92, 4),
)
# key, received, resolved, within standard, response median/p90, resolution median/p90, repeat
HANDLING_BY_UNIT = (
    ("public_works", 712, 648, 571, 0.6, 1.0, 6.0, 17.5, 41),
    ("environment", 548, 531, 502, 0.4, 1.0, 2.0, 6.0, 22),
    ("disaster", 143, 141, 139, 0.1, 0.5, 1.0, 3.0, 4),
    ("civil_registration", 64, 64, 62, 0.5, 1.0, 2.0, 4.0, 1),
    ("revenue", 92, 89, 83, 0.8, 1.5, 4.0, 9.0, 3),
    ("social_welfare", 81, 72, 60, 0.9, 2.0, 8.0, 19.0, 6),
    ("general_affairs", 96, 94, 90, 0.5, 1.0, 3.0, 7.0, 5),
    ("triage", 50, 44, 35, 1.0, 2.5, 5.0, 14.0, 5),
)
HANDLING_BY_CHANNEL = (
    ("line", 760, 729, 674, 0.3, 0.9, 3.0, 11.0, 38),
    ("facebook", 290, 277, 255, 0.4, 1.0, 3.0, 12.0, 14),
    ("facebook_comment", 170, 158, 140, 0.5, 1.2, 4.0, 14.0, 9),
    ("walk_in", 160, 157, 149, 0.0, 0.5, 3.0, 10.0, 6),
    ("phone", 250, 241, 219, 0.2, 1.0, 3.5, 12.5, 12),
    ("letter", 30, 28, 22, 2.0, 4.0, 9.0, 21.0, 1),
    ("email", 28, 27, 24, 0.9, 2.0, 4.0, 13.0, 1),
    ("comment_box", 21, 19, 13, 3.0, 5.0, 10.0, 24.0, 2),
    ("website", 70, 68, 62, 0.8, 1.5, 3.5, 12.0, 4),
    ("other", 7, 6, 4, 1.0, 2.0, 6.0, 15.0, 0),
)
HANDLING_TOTAL_TIMES = (0.4, 1.0, 3.0, 12.0)
TOPICS = (
    (1, (("น้ำท่วมขังถนนหลังฝนตก", 212, "งานป้องกันและบรรเทาสาธารณภัย"), ("ไฟฟ้าส่องสว่างดับ", 168, "กองช่าง"),
         ("ขยะตกค้างไม่มีรถมาเก็บ", 141, "กองสาธารณสุขและสิ่งแวดล้อม"), ("ถนนเป็นหลุมบ่อ", 97, "กองช่าง"),
         ("สอบถามการชำระภาษีที่ดินและสิ่งปลูกสร้าง", 64, "กองคลัง (งานจัดเก็บรายได้)"))),
    (2, (("ขยะตกค้างไม่มีรถมาเก็บ", 133, "กองสาธารณสุขและสิ่งแวดล้อม"), ("ไฟฟ้าส่องสว่างดับ", 120, "กองช่าง"),
         ("ควันและกลิ่นจากการเผาขยะ", 88, "กองสาธารณสุขและสิ่งแวดล้อม"), ("สุนัขจรจัด", 61, "กองสาธารณสุขและสิ่งแวดล้อม"),
         ("สอบถามเบี้ยยังชีพผู้สูงอายุ", 58, "กองสวัสดิการสังคม"))),
    (3, (("ถนนเป็นหลุมบ่อ", 126, "กองช่าง"), ("ภาษีป้ายและค่าธรรมเนียม", 94, "กองคลัง (งานจัดเก็บรายได้)"),
         ("น้ำประปาไม่ไหล", 83, "กองช่าง"), ("เสียงดังจากสถานบันเทิง", 52, "กองสาธารณสุขและสิ่งแวดล้อม"),
         ("จองคิวทำบัตรประชาชน", 47, "งานทะเบียนราษฎรและบัตรประจำตัวประชาชน"))),
    (4, (("น้ำท่วมขังถนนหลังฝนตก", 247, "งานป้องกันและบรรเทาสาธารณภัย"), ("ท่อระบายน้ำอุดตัน", 151, "กองช่าง"),
         ("ต้นไม้ล้มขวางถนน", 76, "งานป้องกันและบรรเทาสาธารณภัย"), ("ยุงและลูกน้ำยุงลาย", 54, "กองสาธารณสุขและสิ่งแวดล้อม"),
         ("ไฟฟ้าส่องสว่างดับ", 49, "กองช่าง"))),
)
# key, label, high / medium / low answers, surveys asked, mean score
SATISFACTION_BY_CHANNEL = (
    ("line", "LINE Official Account", 512, 121, 43, 1315, 4.21),
    ("facebook", "Facebook Messenger", 201, 58, 22, 560, 4.09),
    ("facebook_comment", "ความคิดเห็นบนเพจ Facebook", 38, 17, 12, 150, 3.71),
    ("walk_in", "มาด้วยตนเอง", 244, 41, 9, 380, 4.46),
    ("phone", "โทรศัพท์ / ศูนย์ 1111", 188, 52, 19, 470, 4.12),
    ("letter", "หนังสือ", 9, 4, 2, 40, 3.93),
    ("email", "อีเมล", 14, 5, 3, 55, 3.95),
    ("comment_box", "ตู้รับความคิดเห็น", 6, 3, 4, 25, 3.38),
    ("website", "เว็บไซต์เทศบาล", 27, 9, 5, 80, 4.02),
    ("other", "ช่องทางอื่น ๆ", 0, 0, 0, 0, None),
)
SATISFACTION_BY_GROUP = (
    ("ประชาชนทั่วไป", 801, 204, 77, 2210, 4.14),
    ("ผู้ประกอบการ", 118, 34, 14, 301, 4.06),
    ("ผู้สูงอายุ/ผู้พิการ", 180, 38, 9, 392, 4.33),
    ("นักเรียน/นักศึกษา", 42, 17, 6, 140, 3.98),
    ("หน่วยงานภาครัฐ", 21, 4, 1, 48, 4.27),
    ("องค์กรชุมชน/ภาคประชาสังคม", 37, 9, 3, 89, 4.18),
)
REASONS = (
    ("ใช้เวลาดำเนินการนาน", 54), ("ไม่ได้รับแจ้งความคืบหน้า", 38), ("ปัญหายังไม่ได้รับการแก้ไข", 31),
    ("ต้องติดต่อหลายครั้งหรือหลายช่องทาง", 17), ("เจ้าหน้าที่สื่อสารไม่ชัดเจน", 9), ("อื่น ๆ", 6),
)
IMPROVEMENTS = (
    {"date": "2026-01-12", "unit": "public_works", "unit_label": "กองช่าง",
     "issue": "ไฟฟ้าส่องสว่างสาธารณะดับซ้ำในหลายซอย ประชาชนต้องแจ้งซ้ำหลายครั้ง",
     "linked_to": "ประเด็นที่แจ้งมากไตรมาส 1: ไฟฟ้าส่องสว่างดับ (168 เรื่อง) และร้องเรียนซ้ำ 41 เรื่อง",
     "old_process": "รับแจ้งทางโทรศัพท์ จดลงสมุด รวบรวมส่งช่างไฟฟ้าสัปดาห์ละครั้ง ออกสำรวจก่อนซ่อม",
     "old_steps": 6, "old_days": 12.0,
     "new_process": "เรื่องจาก LINE และโทรศัพท์เข้าคิวงานช่างทันทีพร้อมพิกัดและรูปถ่าย ช่างปิดงานพร้อมรูปหลังซ่อม",
     "new_steps": 3, "new_days": 4.0,
     "evidence": "คำสั่งเทศบาลที่ 45/2569 ลงวันที่ 12 มกราคม 2569; รูปก่อนและหลังซ่อม 38 จุด"},
    {"date": "2026-03-02", "unit": "environment", "unit_label": "กองสาธารณสุขและสิ่งแวดล้อม",
     "issue": "ขยะตกค้างในซอยที่รถเก็บขยะเข้าไม่ถึง",
     "linked_to": "ประเด็นที่แจ้งมากไตรมาส 1–2: ขยะตกค้างไม่มีรถมาเก็บ (274 เรื่อง)",
     "old_process": "ประชาชนแจ้ง เจ้าหน้าที่ตรวจสอบพื้นที่ ทำบันทึกขออนุมัติรถเสริม แล้วจึงจัดรถเข้าเก็บ",
     "old_steps": 5, "old_days": 7.0,
     "new_process": "กำหนดจุดพักขยะและรอบรถเล็กประจำซอยแคบ แจ้งตารางรอบเก็บทาง LINE",
     "new_steps": 3, "new_days": 2.0,
     "evidence": "ประกาศเทศบาลเรื่องจุดพักขยะ ลงวันที่ 2 มีนาคม 2569; ตารางรอบเก็บขยะ 14 ซอย"},
    {"date": "2026-05-18", "unit": "social_welfare", "unit_label": "กองสวัสดิการสังคม",
     "issue": "ผู้สูงอายุต้องเดินทางมาสำนักงานหลายครั้งเพื่อยื่นเอกสารเบี้ยยังชีพ",
     "linked_to": "ผลสำรวจความพึงพอใจ: เหตุผล “ต้องติดต่อหลายครั้งหรือหลายช่องทาง” 17 ครั้ง",
     "old_process": "ยื่นคำขอด้วยตนเองที่สำนักงาน ตรวจเอกสาร นัดมายื่นเอกสารเพิ่ม แล้วจึงอนุมัติ",
     "old_steps": 4, "old_days": 10.0,
     "new_process": "ส่งรูปเอกสารทาง LINE ได้ หรือให้ อสม. รับเอกสารที่บ้าน เจ้าหน้าที่ตรวจครั้งเดียว",
     "new_steps": 2, "new_days": 3.0,
     "evidence": "บันทึกข้อความกองสวัสดิการสังคม ที่ 112/2569; แบบฟอร์มรับเอกสารนอกสถานที่",
     "citizen_group": "ผู้สูงอายุ/ผู้พิการ"},
    {"date": "2026-07-01", "unit": "civil_registration", "unit_label": "งานทะเบียนราษฎรและบัตรประจำตัวประชาชน",
     "issue": "รอคิวทำบัตรประชาชนนานในช่วงเช้า",
     "linked_to": "ประเด็นที่แจ้งมากไตรมาส 3: จองคิวทำบัตรประชาชน (47 เรื่อง)",
     "old_process": "รับบัตรคิวหน้าสำนักงานตั้งแต่ 08.30 น. รอเรียกตามลำดับ",
     "old_steps": 5, "old_days": 1.0,
     "new_process": "จองวันและเวลาผ่าน LINE ล่วงหน้า ได้รับข้อความเตือนก่อนวันนัด",
     "new_steps": 3, "new_days": 0.5,
     "evidence": "ประกาศงานทะเบียนราษฎร เรื่องการจองคิวออนไลน์ ลงวันที่ 1 กรกฎาคม 2569"},
)
STANDARDS = (
    (None, "ทุกหน่วยงาน", "ร้องเรียน", 1, 15, None),
    (None, "ทุกหน่วยงาน", "ข้อเสนอแนะ", 1, 30, None),
    (None, "ทุกหน่วยงาน", "สอบถาม", 1, 3, None),
    ("public_works", "กองช่าง", "ไฟฟ้าส่องสว่างดับ", 1, 7, None),
    ("public_works", "กองช่าง", "ถนนชำรุดและหลุมบ่อ", 1, 20, [5, 20]),
    ("environment", "กองสาธารณสุขและสิ่งแวดล้อม", "ขยะตกค้าง", 1, 3, None),
)


def _by_year(counts: tuple[int, ...]) -> dict[str, int]:
    return {str(year): count for year, count in zip(YEARS, counts, strict=True)}


def _spread(total: int) -> list[int]:
    """Spread a year's count over its months by MONTH_WEIGHTS, largest remainders first."""
    weight = sum(MONTH_WEIGHTS)
    exact = [total * share / weight for share in MONTH_WEIGHTS]
    months = [int(value) for value in exact]
    by_remainder = sorted(range(12), key=lambda index: exact[index] - months[index], reverse=True)
    for index in by_remainder[: total - sum(months)]:
        months[index] += 1
    return months


def _handling_row(names: dict[str, str], values: tuple[Any, ...]) -> dict[str, Any]:
    received, resolved, within, response_median, response_p90, resolution_median, resolution_p90, repeat = values
    return {**names, "received": received, "resolved": resolved, "within_standard": within,
            "within_standard_share": within / received if received else None,
            "response_days_median": response_median, "response_days_p90": response_p90,
            "resolution_days_median": resolution_median, "resolution_days_p90": resolution_p90, "repeat": repeat}


def _category_handling(received: int) -> dict[str, Any]:
    """A category's year: nine in ten resolved, four in five within the standard, most answered within 5 days."""
    row = _handling_row({}, (received, received * 9 // 10, received * 4 // 5, 1.0, 4.0, 6.0, 18.0, received // 40))
    return {**row, "first_answer_within": received * 17 // 20,
            "first_answer_within_share": (received * 17 // 20) / received if received else None}


def _satisfaction_row(names: dict[str, str], high: int, medium: int, low: int, asked: int,
                      mean: float | None) -> dict[str, Any]:
    responses = high + medium + low
    return {**names, "responses": responses, "asked": asked,
            "high": high / responses if responses else None, "medium": medium / responses if responses else None,
            "low": low / responses if responses else None,
            "response_rate": responses / asked if asked else None, "mean_score": mean}


def _notes() -> dict[str, dict[str, Any]]:
    three_years = {"channels", "intents", "categories", "groups", "handling_by_category"}
    sources = {"standards": "ประกาศมาตรฐานการให้บริการของเทศบาล (หน้า /standards)",
               "satisfaction_by_channel": SURVEY, "satisfaction_by_group": SURVEY, "satisfaction_reasons": SURVEY,
               "topics": "ระบบฟังเสียง: ประเด็นที่มาแรงรายไตรมาส จากการจัดกลุ่มข้อความของประชาชน",
               "improvements": "ทะเบียนการปรับปรุงในระบบฟังเสียง บันทึกโดยผู้ดูแลระบบและนักวิเคราะห์"}
    return {table_id: {"title": TABLE_TITLES[table_id],
                       "period": dict(THREE_YEARS if table_id in three_years else ONE_YEAR),
                       "source": sources.get(table_id, CASES)}
            for table_id in TABLE_IDS}


def _build() -> dict[str, Any]:
    unit_names = {code: name for code, name, *_ in UNITS}
    channel_names = {code: name for code, name, *_ in CHANNELS}
    grouped = [sum(row[1][index] for row in GROUPS) for index in range(3)]
    intents = [{"intent": code, "label": label, "by_year": _by_year(counts)} for code, label, counts in INTENTS]
    other = tuple(YEAR_TOTALS[index] - sum(row[2][index] for row in INTENTS) for index in range(3))
    handling_total = tuple(sum(row[index] for row in HANDLING_BY_UNIT) for index in range(1, 4))
    return {
        "fiscal_year": FISCAL_YEAR,
        "years": list(YEARS),
        "agency_name": AGENCY,
        "scope": "ทุกหน่วยงาน",
        "generated_at": "2026-10-15T09:30:00+07:00",
        "as_of": "2026-09-30",
        "tables": _notes(),
        "channels": [{"channel": code, "label": label, "offline": offline, "by_year": _by_year(counts),
                      "by_month": _spread(counts[-1])} for code, label, offline, counts in CHANNELS],
        "intents": [*intents, {"intent": "other", "label": "อื่น ๆ", "by_year": _by_year(other)}],
        "categories": [{"category": code, "label": label, "by_year": _by_year(counts)}
                       for code, label, counts in CATEGORIES],
        "groups": [*({"group": name, "by_year": _by_year(counts)} for name, counts in GROUPS),
                   {"group": "ไม่ระบุ", "by_year": _by_year(tuple(total - known for total, known
                                                                   in zip(YEAR_TOTALS, grouped, strict=True)))}],
        "units": [{"unit": code, "label": name, "received": received, "resolved": resolved,
                   "open": received - resolved, "overdue": overdue}
                  for code, name, received, resolved, overdue in UNITS],
        "standards": [{"unit": unit, "label": label, "matter": matter, "acknowledge_days": acknowledge,
                       "resolve_days": resolve, **({"stages": stages} if stages else {})}
                      for unit, label, matter, acknowledge, resolve, stages in STANDARDS],
        "handling": {
            "by_unit": [_handling_row({"unit": row[0], "label": unit_names[row[0]]}, row[1:])
                        for row in HANDLING_BY_UNIT],
            "by_channel": [_handling_row({"channel": row[0], "label": channel_names[row[0]]}, row[1:])
                           for row in HANDLING_BY_CHANNEL],
            "total": _handling_row({}, (*handling_total, *HANDLING_TOTAL_TIMES,
                                        sum(row[8] for row in HANDLING_BY_UNIT))),
            "by_category": [{"category": code, "label": label,
                             "by_year": {str(year): _category_handling(received)
                                         for year, received in zip(YEARS, counts, strict=True)}}
                            for code, label, counts in CATEGORIES],
            "repeat_rule": "ผู้ร้องรายเดิม หรือสถานที่และเรื่องเดียวกัน ภายใน 90 วัน",
        },
        "complaint_flow": {"steps": [
            {"step": step, "label": label, "reached": reached, "reached_share": reached / 1786,
             "days_from_previous_median": days, "measured": measured}
            for (step, label), (reached, days, measured) in zip(STEPS, (
                (1786, None, 0), (1786, 0.0, 1786), (1786, 0.0, 1702), (1779, 0.5, 1779), (1702, 1.0, 1288),
                (1683, 6.0, 1683), (1540, 2.0, 1540)), strict=True)],
            "improvements": [{"issue": "ไฟถนนดับซ้ำซาก ซอยสุขใจ", "unit_label": "กองช่าง", "old_steps": 6,
                              "old_days": 12.0, "new_steps": 3, "new_days": 4.0}]},
        "topics": [{"quarter": quarter, "topics": [{"topic": topic, "count": count, "unit_label": unit}
                                                   for topic, count, unit in items]}
                   for quarter, items in TOPICS],
        "satisfaction": {
            "by_channel": [_satisfaction_row({"channel": code, "label": label}, *values)
                           for code, label, *values in SATISFACTION_BY_CHANNEL],
            "by_group": [_satisfaction_row({"group": name}, *values) for name, *values in SATISFACTION_BY_GROUP],
            "overall": _satisfaction_row(
                {}, *(sum(row[index] for row in SATISFACTION_BY_CHANNEL) for index in range(2, 6)), 4.17),
            "reasons": [{"reason": reason, "count": count, "share": count / sum(c for _, c in REASONS)}
                        for reason, count in REASONS],
        },
        "improvements": [dict(row) for row in IMPROVEMENTS],
    }


_REPORT = _build()


def sample_report() -> dict[str, Any]:
    """A fresh copy of the sample report (tests may change it)."""
    return copy.deepcopy(_REPORT)


def empty_report(*, fiscal_year: int = 2570) -> dict[str, Any]:
    """The report of a fiscal year in which nothing was recorded: configured rows, all zero; no optional tables."""
    years = [fiscal_year - 2, fiscal_year - 1, fiscal_year]
    start_year = fiscal_year - 543 - 1
    one_year = {"start": f"{start_year}-10-01", "end": f"{start_year + 1}-09-30"}
    three_years = {"start": f"{start_year - 2}-10-01", "end": f"{start_year + 1}-09-30"}
    zeros = {str(year): 0 for year in years}
    nobody = _satisfaction_row({}, 0, 0, 0, 0, None)
    notes = _notes()
    for note in notes.values():
        note["period"] = dict(three_years if note["period"] == THREE_YEARS else one_year)
        note["source"] = note["source"].replace(CASES, "ระบบฟังเสียง: เรื่องที่บันทึกทุกช่องทาง")
    return {
        "fiscal_year": fiscal_year, "years": years, "agency_name": AGENCY, "scope": "ทุกหน่วยงาน",
        "generated_at": f"{start_year + 1}-01-05T10:00:00+07:00", "as_of": f"{start_year + 1}-01-05",
        "tables": notes,
        "channels": [{"channel": code, "label": label, "offline": offline, "by_year": dict(zeros)}
                     for code, label, offline, _ in CHANNELS],
        "intents": [{"intent": code, "label": label, "by_year": dict(zeros)} for code, label, _ in INTENTS],
        "groups": [{"group": name, "by_year": dict(zeros)} for name, _ in GROUPS],
        "units": [{"unit": code, "label": name, "received": 0, "resolved": 0, "open": 0, "overdue": 0}
                  for code, name, *_ in UNITS],
        "handling": {"by_unit": [], "by_channel": [],
                     "total": _handling_row({}, (0, 0, 0, None, None, None, None, 0)),
                     "repeat_rule": "ผู้ร้องรายเดิม หรือสถานที่และเรื่องเดียวกัน ภายใน 90 วัน"},
        "topics": [],
        "satisfaction": {"by_channel": [], "by_group": [], "overall": nobody, "reasons": []},
        "improvements": [],
    }
