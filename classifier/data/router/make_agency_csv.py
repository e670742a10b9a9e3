"""Make a synthetic complaint register of a Thai city municipality: ~1,200 labelled reports, 20 units.

`python classifier/data/router/make_agency_csv.py [OUT.csv] [--rows N] [--seed S]` writes the CSV with the
columns an agency's export has (`เลขที่`, `วันที่รับเรื่อง`, `ช่องทาง`, `รายละเอียด`, `หน่วยงานที่รับผิดชอบ`).
It stands in for an agency's own register to test and demonstrate `train --router-csv` and the router
evaluation: units that overlap the way real ones do (roads / drainage / traffic, waste / nuisance / disease
control, parks / disaster for trees), reports written the ways citizens write them (structured, repeated,
request-phrased, dialect, misspelled, English mixed in), uneven unit sizes, reports that mention a second
problem of another unit, vague reports with a single hint word, and ~4 % of rows filed under a neighbouring
unit, as a busy registry clerk does.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

TEXT_COLUMN = "รายละเอียด"
LABEL_COLUMN = "หน่วยงานที่รับผิดชอบ"
DEFAULT_PATH = Path(__file__).resolve().parent / "agency_register.csv"

# unit code -> (relative size, problems). Each problem is "what|detail", detail optional.
UNITS: dict[str, tuple[int, list[str]]] = {
    "roads": (10, [
        "ถนนเป็นหลุมเป็นบ่อ|รถมอเตอร์ไซค์ล้มไปหลายคัน", "ถนนคอนกรีตแตกร้าว|แตกเป็นแนวยาว", "ถนนทรุดตัว|ทรุดลงทุกวัน",
        "ยางมะตอยร่อน|ผิวถนนหลุดเป็นแผ่น", "ถนนลูกรังเป็นหล่ม|ฝนตกรถเข้าไม่ได้", "ทางเท้าชำรุด|อิฐตัวหนอนหลุด",
        "ขอบฟุตบาทแตก|คนเดินสะดุดล้ม", "ผู้รับเหมาขุดถนนทิ้งไว้|ไม่กลบให้เรียบร้อย", "สะพานไม้ผุ|ไม้กระดานหักหลายแผ่น",
        "คอสะพานทรุด|รถกระแทกทุกคัน", "ลูกระนาดพัง|เหล็กโผล่", "ถนนลื่นมีดินโคลน|รถขนดินทำดินร่วง",
    ]),
    "street_lights": (8, [
        "ไฟถนนดับ|มืดทั้งซอย", "ไฟส่องสว่างไม่ติด|ดับหลายต้นติดกัน", "หลอดไฟทางขาด|กลางคืนมองไม่เห็นทาง",
        "ไฟกิ่งกะพริบ|ติดๆ ดับๆ ทั้งคืน", "เสาไฟส่องสว่างเอียง|เหมือนจะล้ม", "ไฟบนสะพานลอยดับ|ผู้หญิงไม่กล้าข้าม",
        "ไฟในสวนสาธารณะดับ|คนมาออกกำลังกายตอนค่ำไม่ได้", "ไฟถนนติดตอนกลางวัน|เปลืองไฟ",
    ]),
    "drainage": (8, [
        "ท่อระบายน้ำอุดตัน|น้ำไม่ระบาย", "น้ำท่วมขังหลังฝนตก|ขังหลายวัน", "ฝาท่อระบายน้ำแตก|เป็นรูใหญ่",
        "ฝาท่อหาย|เด็กเกือบตกลงไป", "รางระบายน้ำตื้นเขิน|ไม่มีใครมาลอก", "น้ำเน่าในท่อ|ส่งกลิ่นเหม็น",
        "ตะแกรงรางน้ำหาย|ล้อรถติดร่อง", "คูระบายน้ำมีวัชพืช|น้ำไหลไม่ได้",
    ]),
    "water_supply": (6, [
        "น้ำประปาไม่ไหล|ไม่มีน้ำใช้", "ท่อประปาแตก|น้ำไหลนองถนน", "น้ำประปาขุ่น|มีตะกอนสีน้ำตาล",
        "น้ำประปาไหลอ่อน|บ้านท้ายซอยไม่มีน้ำ", "มาตรวัดน้ำรั่ว|น้ำซึมตลอดเวลา", "น้ำประปามีกลิ่นคลอรีนแรง|ดื่มไม่ได้",
        "ค่าน้ำประปาสูงผิดปกติ|ทั้งที่ใช้เท่าเดิม",
    ]),
    "building_control": (4, [
        "บ้านข้างๆ ต่อเติมรุกล้ำที่สาธารณะ|สร้างคร่อมทางเดิน", "ก่อสร้างอาคารไม่มีป้ายขออนุญาต|ทำงานถึงดึก",
        "อาคารเก่าทรุดโทรม|ผนังร้าวจะพัง", "ตึกแถวต่อเติมกันสาดยื่นออกมาบนทางเท้า|คนเดินต้องก้มหัว",
        "ไซต์ก่อสร้างไม่มีรั้วกั้น|วัสดุหล่นใส่บ้านข้างเคียง", "ป้ายโฆษณาขนาดใหญ่บนหลังคาเอียง|กลัวลมพัดล้ม",
    ]),
    "waste": (10, [
        "ขยะไม่มีคนมาเก็บ|กองหน้าบ้าน", "ถังขยะล้น|ขยะหล่นเต็มถนน", "รถขยะไม่มาตามวัน|ขาดไปหลายรอบ",
        "พนักงานเก็บขยะทำขยะหก|ไม่เก็บกวาด", "มีคนลักลอบทิ้งขยะ|ที่ดินว่างท้ายซอย", "ขอถังขยะใบใหม่|ถังเดิมแตก",
        "ขยะชิ้นใหญ่ไม่มีคนขน|โซฟาและที่นอนเก่า", "กิ่งไม้ใบไม้ที่ตัดแล้วกองทิ้งไว้|ไม่มีรถมาขน",
        "ถนนสกปรกไม่มีคนกวาด|ใบไม้และถุงพลาสติกเต็มไปหมด",
    ]),
    "nuisance": (8, [
        "เสียงดังจากร้านคาราโอเกะ|ถึงตีสอง", "กลิ่นเหม็นจากฟาร์มหมู|ลมพัดเข้าหมู่บ้าน", "ควันจากการเผาขยะ|เข้าบ้านทุกเย็น",
        "เสียงเครื่องจักรจากโรงงาน|ดังทั้งคืน", "ฝุ่นจากไซต์ก่อสร้าง|บ้านสกปรก", "กลิ่นเหม็นจากฟาร์มไก่|แมลงวันเยอะ",
        "ร้านอาหารปล่อยควันปิ้งย่าง|ลอยเข้าบ้าน", "น้ำเสียจากร้านค้าไหลลงท่อสาธารณะ|เหม็นทั้งซอย",
        "เพื่อนบ้านเลี้ยงไก่ชนหลายสิบตัว|ขันตั้งแต่ตีสาม",
    ]),
    "disease_control": (5, [
        "ยุงเยอะมาก|ขอให้มาพ่นยุง", "มีคนเป็นไข้เลือดออก|ในซอยเดียวกันหลายคน", "ขอให้ฉีดพ่นหมอกควันกำจัดยุง|เด็กโดนกัดทั้งวัน",
        "น้ำขังในยางรถเก่า|เป็นแหล่งเพาะพันธุ์ยุงลาย", "หนูเยอะในตลาด|วิ่งเข้าบ้าน", "แมลงสาบขึ้นจากท่อ|ทุกคืน",
    ]),
    "stray_animals": (5, [
        "สุนัขจรจัดเยอะ|ไล่กัดเด็ก", "หมาจรจัดกัดคน|ต้องไปฉีดวัคซีน", "แมวจรจัดออกลูกเต็มซอย|ส่งเสียงทั้งคืน",
        "สุนัขจรจัดคุ้ยขยะ|กระจายเต็มถนน", "ขอให้มาจับสุนัขจรจัดไปทำหมัน|ตอนนี้มีเป็นสิบตัว", "ฝูงลิงลงมาในชุมชน|ขโมยของกิน",
    ]),
    "disaster_relief": (7, [
        "น้ำท่วมบ้าน|น้ำสูงถึงเข่า", "ต้นไม้ล้มขวางถนน|รถผ่านไม่ได้", "ไฟไหม้หญ้า|ลามใกล้บ้านเรือน",
        "กิ่งไม้พาดสายไฟฟ้า|ลมแรงแล้วมีประกายไฟ", "ตลิ่งพัง|ดินสไลด์ลงคลอง", "ลมพายุพัดหลังคาบ้านปลิว|ต้องการความช่วยเหลือ",
        "งูเห่าเข้าบ้าน|อยู่ในครัว", "รังต่อหัวเสือ|บนต้นไม้หน้าบ้าน", "ขอกระสอบทราย|น้ำกำลังขึ้น",
    ]),
    "municipal_police": (6, [
        "หาบเร่แผงลอยวางของบนทางเท้า|คนต้องเดินลงถนน", "รถจอดขวางทางเข้าออกซอย|จอดค้างคืน",
        "ร้านค้าตั้งโต๊ะรุกล้ำถนน|รถติด", "มีคนเอารถเก่ามาจอดทิ้ง|บนทางเท้าเป็นเดือน", "ป้ายโฆษณาเถื่อนติดเต็มเสาไฟ|บังทาง",
        "ขายของบนสะพานลอย|เดินผ่านไม่ได้", "วัยรุ่นมั่วสุมแข่งรถ|ตอนดึก",
    ]),
    "traffic": (5, [
        "สัญญาณไฟจราจรเสีย|กะพริบเหลืองตลอด", "ทางม้าลายสีลบ|รถไม่ชะลอ", "ป้ายจราจรล้ม|คนต่างถิ่นหลงทาง",
        "ไม่มีป้ายเตือนทางโค้ง|รถตกข้างทางบ่อย", "กระจกโค้งตรงทางแยกแตก|มองไม่เห็นรถสวน", "ขอให้ทำเนินชะลอความเร็ว|รถขับเร็วหน้าโรงเรียน",
    ]),
    "parks": (4, [
        "หญ้าในสวนสาธารณะรก|สูงท่วมเข่า", "เครื่องเล่นในสนามเด็กเล่นชำรุด|เด็กโดนเหล็กบาด", "ต้นไม้ในสวนไม่ได้ตัดแต่ง|กิ่งห้อยต่ำ",
        "ห้องน้ำในสวนสาธารณะสกปรก|ไม่มีน้ำ", "ม้านั่งในสวนพัง|นั่งไม่ได้", "เครื่องออกกำลังกายกลางแจ้งเสีย|ใช้ไม่ได้หลายเครื่อง",
    ]),
    "civil_registration": (6, [
        "ทำบัตรประชาชนแล้วระบบล่ม|ต้องกลับมาใหม่", "แจ้งย้ายเข้าแล้วชื่อไม่ขึ้นในทะเบียนบ้าน|ลูกเข้าโรงเรียนไม่ได้",
        "แจ้งเกิดลูกแต่เอกสารไม่ครบ|ไปกลับหลายรอบ", "ขอสำเนาทะเบียนบ้าน|เจ้าหน้าที่บอกให้รอพรุ่งนี้",
        "ขอเลขที่บ้านใหม่|ยื่นไปนานแล้ว", "แจ้งตายของพ่อ|ไม่รู้ต้องใช้เอกสารอะไร", "เปลี่ยนนามสกุลหลังแต่งงาน|ไม่แน่ใจขั้นตอน",
    ]),
    "tax": (6, [
        "ใบแจ้งภาษีที่ดินยอดสูงผิดปกติ|สูงกว่าปีก่อนเท่าตัว", "จ่ายภาษีป้ายแล้วยังมีจดหมายทวง|ทั้งที่มีใบเสร็จ",
        "ต่อคิวจ่ายภาษีนานมาก|เปิดช่องเดียว", "ประเมินภาษีโรงเรือนผิด|ไม่ได้ให้เช่าแล้ว", "ขอผ่อนชำระภาษีที่ดิน|รายได้ไม่พอ",
        "ไม่ได้รับใบแจ้งประเมินภาษี|เลยจ่ายเกินกำหนด",
    ]),
    "market": (4, [
        "ตลาดสดสกปรก|น้ำเน่าขังตามทางเดิน", "ค่าเช่าแผงในตลาดขึ้นราคา|ไม่มีประกาศล่วงหน้า", "แม่ค้าในตลาดทิ้งขยะเกลื่อน|หลังเลิกตลาด",
        "ห้องน้ำตลาดเทศบาลชำรุด|ไม่มีน้ำ", "ไฟในอาคารตลาดดับ|พ่อค้าแม่ค้าขายของไม่ได้", "ขอจองแผงในตลาดนัด|ไม่รู้ต้องติดต่อใคร",
    ]),
    "elderly_disabled": (6, [
        "ยายยังไม่ได้เบี้ยยังชีพ|เดือนนี้เงินไม่เข้า", "ลงทะเบียนเบี้ยผู้สูงอายุแล้วชื่อไม่ขึ้น|รอครึ่งปี",
        "ขอรับเบี้ยความพิการ|ยื่นไปนานแล้ว", "ขอรถเข็นให้ผู้พิการ|เดินไม่ได้", "ผู้ป่วยติดเตียงไม่มีคนดูแล|ลูกหลานไปทำงานต่างจังหวัด",
        "เบี้ยยังชีพเข้าช้า|คนแก่ไม่มีเงินซื้อยา",
    ]),
    "social_assistance": (4, [
        "บ้านผู้ยากไร้หลังคาพัง|ฝนตกรั่วทั้งหลัง", "ครอบครัวยากจนไม่มีอาหาร|เด็กเล็กสามคน", "ขอถุงยังชีพ|ตกงานหลายเดือน",
        "คนไร้บ้านนอนที่ศาลาริมทาง|ป่วยหนัก", "เด็กถูกทิ้งให้อยู่ลำพัง|พ่อแม่ไม่กลับบ้าน",
    ]),
    "education": (4, [
        "ศูนย์พัฒนาเด็กเล็กไม่มีครูพอ|เด็กถูกปล่อยเล่นเอง", "อาหารกลางวันโรงเรียนเทศบาลไม่มีคุณภาพ|เด็กกินไม่ได้",
        "ห้องเรียนหลังคารั่ว|ฝนตกเด็กเรียนไม่ได้", "รถรับส่งนักเรียนของเทศบาลขับเร็ว|ผู้ปกครองเป็นห่วง",
        "ขอทุนการศึกษาให้ลูก|ไม่รู้ยื่นที่ไหน", "สนามฟุตบอลโรงเรียนน้ำท่วมขัง|เด็กเล่นกีฬาไม่ได้",
    ]),
    "administration": (5, [
        "เจ้าหน้าที่พูดจาไม่สุภาพ|ตะคอกใส่ชาวบ้าน", "โทรไปสำนักงานไม่มีคนรับ|โทรหลายวัน", "รอคิวที่สำนักงานนานมาก|เจ้าหน้าที่เล่นมือถือ",
        "เจ้าหน้าที่เรียกเงินพิเศษ|ถ้าอยากให้เรื่องเร็ว", "ยื่นขอข้อมูลข่าวสารแล้วไม่ได้รับคำตอบ|เกินกำหนด",
        "ประกาศรับสมัครงานไม่ชัดเจน|หมดเขตก่อนรู้", "ที่จอดรถของสำนักงานไม่พอ|ต้องจอดริมถนน",
    ]),
}

PLACES = [
    "ซอยสุขใจ {n}", "ซอยร่วมมิตร {n}", "ซอยวัดกลาง", "หมู่ {n} บ้านหนองบัว", "หมู่ {n} บ้านโนนสูง", "ถนนมิตรภาพ",
    "ถนนเทศบาล {n}", "ชุมชนหลังสถานีรถไฟ", "ชุมชนริมคลอง", "หน้าตลาดสดเทศบาล", "หน้าโรงเรียนเทศบาล {n}",
    "ซอยประชาร่วมใจ {n}", "หมู่บ้านพฤกษา {n}", "ถนนเลียบคลองชลประทาน", "ตรงข้ามวัดศรีสว่าง", "แยกไฟแดงหน้าโรงพยาบาล",
    "ชุมชนบ้านเก่า", "หลังห้างโลตัส", "ซอยแสงทอง {n}", "หมู่ {n} บ้านดอนแดง",
]
OPENERS = ["", "", "", "สวัสดีค่ะ ", "สวัสดีครับ ", "เรียนเจ้าหน้าที่ ", "แจ้งซ้ำนะคะ ", "แจ้งครั้งที่ {k} แล้วครับ ",
           "รบกวนด้วยค่ะ ", "ขอแจ้งปัญหาครับ ", "ร้องเรียนค่ะ "]
CLOSERS = ["", "", "", " ขอบคุณค่ะ", " ขอบคุณครับ", " ช่วยด้วยนะคะ", " รบกวนด่วนครับ", " เดือดร้อนมากค่ะ",
           " แจ้งไปหลายรอบแล้ว", " ไม่มีใครมาดูเลย", " ASAP please", " รอมาเป็นเดือนแล้ว"]
DURATIONS = ["มา {d} วันแล้ว", "ตั้งแต่เมื่อวาน", "มาเป็นอาทิตย์แล้ว", "ตั้งแต่ต้นเดือน", "มาสองเดือนแล้ว", ""]
TYPOS = {"ถนน": "ถนล", "เหม็น": "เหมน", "ไม่": "ไม", "ท่อ": "ทอ", "ขยะ": "ขยา", "น้ำ": "นำ้", "เป็น": "เปน",
         "แล้ว": "แล้วว", "ด้วย": "ด้วยย", "มาก": "มากกก"}
DIALECT = [("ไม่", "บ่"), ("มาก", "หลาย"), ("ไม่มีใคร", "บ่มีไผ"), ("ดู", "เบิ่ง")]


def _report(rng: random.Random, problem: str) -> str:
    """One citizen report about a problem, in one of the styles citizens use."""
    what, _, detail = problem.partition("|")
    place = rng.choice(PLACES).format(n=rng.randint(1, 30))
    duration = rng.choice(DURATIONS).format(d=rng.randint(2, 20))
    style = rng.random()
    if style < 0.22:
        text = f"ปัญหา: {what}\nจุดเกิดเหตุ: {place}\nรายละเอียด: {detail} {duration}".rstrip()
    elif style < 0.40:
        text = f"อยากให้เจ้าหน้าที่มาดู{what}ที่{place}หน่อย {detail} {duration}".rstrip()
    elif style < 0.52:
        text = f"{what} {place} {duration} {detail}"
    elif style < 0.62:
        text = f"รบกวนช่วยจัดการเรื่อง{what} แถว{place}ด้วย {detail}"
    elif style < 0.70:
        text = f"เมื่อไหร่จะมาแก้{what}สักที {place} {detail} {duration}".rstrip()
    else:
        text = f"{place} {what} {detail} {duration}".strip()
    text = rng.choice(OPENERS).format(k=rng.randint(2, 5)) + text + rng.choice(CLOSERS)
    if rng.random() < 0.12:
        for right, wrong in TYPOS.items():
            if right in text and rng.random() < 0.5:
                text = text.replace(right, wrong, 1)
    if rng.random() < 0.08:
        for central, isan in DIALECT:
            text = text.replace(central, isan)
        text += " เด้อ"
    return " ".join(part for part in text.split(" ") if part) if "\n" not in text else text


NEIGHBOURS = {
    "roads": "drainage", "drainage": "roads", "street_lights": "roads", "water_supply": "drainage", "waste": "nuisance",
    "nuisance": "waste", "disease_control": "nuisance", "stray_animals": "nuisance", "disaster_relief": "parks",
    "parks": "disaster_relief", "traffic": "roads", "municipal_police": "traffic", "building_control": "municipal_police",
    "market": "waste", "elderly_disabled": "social_assistance", "social_assistance": "elderly_disabled",
    "civil_registration": "administration", "tax": "administration", "education": "administration",
    "administration": "civil_registration",
}
# One hint word per unit for vague reports; several units share a word, as they do in real registers.
HINTS = {
    "roads": "ถนน", "street_lights": "ไฟ", "drainage": "น้ำ", "water_supply": "น้ำ", "building_control": "ก่อสร้าง",
    "waste": "ขยะ", "nuisance": "กลิ่น", "disease_control": "ยุง", "stray_animals": "หมา", "disaster_relief": "น้ำ",
    "municipal_police": "ทางเท้า", "traffic": "ถนน", "parks": "สวน", "civil_registration": "บัตร", "tax": "ภาษี",
    "market": "ตลาด", "elderly_disabled": "คนแก่", "social_assistance": "บ้าน", "education": "โรงเรียน",
    "administration": "เจ้าหน้าที่",
}
VAGUE = ["ช่วยมาดูเรื่อง{hint}หน่อยค่ะ {place} เดือดร้อนมาก", "เรื่อง{hint} {place} แจ้งไปหลายรอบแล้ว ไม่มีใครมา",
         "ปัญหา{hint}ที่{place} ยังไม่ได้รับการแก้ไขครับ", "{place} มีปัญหาเรื่อง{hint} รบกวนด้วยค่ะ"]
CHANNELS = ("LINE", "Facebook", "โทรศัพท์", "Walk-in", "เว็บไซต์")


def make_rows(
    *, rows: int = 1200, seed: int = 12, mislabel_rate: float = 0.04, second_problem_rate: float = 0.10,
    vague_rate: float = 0.04,
) -> list[dict]:
    """Labelled register rows (dicts with the CSV's columns), deterministic for a seed."""
    rng = random.Random(seed)
    codes = list(UNITS)
    weights = [UNITS[c][0] for c in codes]
    out: list[dict] = []
    seen: set[str] = set()
    while len(out) < rows:
        unit = rng.choices(codes, weights)[0]
        roll = rng.random()
        if roll < vague_rate:
            place = rng.choice(PLACES).format(n=rng.randint(1, 30))
            text = rng.choice(VAGUE).format(hint=HINTS[unit], place=place)
        else:
            text = _report(rng, rng.choice(UNITS[unit][1]))
            if roll < vague_rate + second_problem_rate:
                other = rng.choice([c for c in codes if c != unit])
                what = rng.choice(UNITS[other][1]).partition("|")[0]
                text += rng.choice([f" แล้วก็{what}ด้วย", f" นอกจากนี้ยังมี{what}", f" อีกเรื่องคือ{what}"])
        if text in seen:
            continue
        seen.add(text)
        label = NEIGHBOURS[unit] if rng.random() < mislabel_rate else unit
        n = len(out) + 1
        out.append({
            "เลขที่": f"R{2568}-{n:05d}",
            "วันที่รับเรื่อง": f"2568-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "ช่องทาง": rng.choice(CHANNELS),
            TEXT_COLUMN: text,
            LABEL_COLUMN: label,
        })
    return out


def write_csv(path: Path, *, rows: int = 1200, seed: int = 12) -> Path:
    """Write the register as UTF-8 CSV with a BOM (as Excel exports it); return the path."""
    data = make_rows(rows=rows, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    target = Path(args[0]) if args and not args[0].startswith("--") else DEFAULT_PATH
    n_rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 1200
    seed_value = int(args[args.index("--seed") + 1]) if "--seed" in args else 12
    print(write_csv(target, rows=n_rows, seed=seed_value))
