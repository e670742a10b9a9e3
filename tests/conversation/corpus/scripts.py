"""The conversation corpus: multi-turn chats as citizens write them (typed button words, several matters in one
chat, stickers, laughter, gibberish, thanks after resolution, status in every ticket form, FAQ with open cases, a
photo burst, an urgent danger), each saying where every message must land and what must be answered."""
from __future__ import annotations

from tests.conversation.corpus.runner import Press, Resolve, Satisfaction, Say, Script, Sticker

ROAD = "ถนนหน้าบ้านเป็นหลุมใหญ่มาก รถมอไซค์ล้มไปสองคันแล้วค่ะ ซอยเทศบาล 5 หมู่ 3"
LAMP = "ไฟทางในซอยวัดกลางดับมาเป็นอาทิตย์แล้วครับ มืดมากตอนกลางคืน"
TRASH = "ขยะหน้าตลาดไม่มีใครมาเก็บ 3 วันแล้ว ส่งกลิ่นเหม็นมากค่ะ"
NOISE = "ร้านคาราโอเกะข้างบ้านเปิดเพลงเสียงดังทุกคืนจนตีสอง นอนไม่ได้เลยครับ"
DRAIN = "อีกเรื่องนะคะ ท่อระบายน้ำหน้าโรงเรียนอุดตัน ฝนตกทีไรน้ำท่วมขังทุกครั้ง"
WIRE = "สายไฟขาดห้อยลงมาข้างโรงเรียนอนุบาล มีประกายไฟด้วย อันตรายมากค่ะ รีบมาด่วน"

NEW = ("แจ้งเรื่องใหม่", "เรื่องใหม่ค่ะ", "เรื่องใหม่ครับ", "แจ้งเรื่องใหม่ค่ะ", "เป็นเรื่องใหม่นะคะ", "แจ้งเรืองใหม่")
MORE = ("เพิ่มเติมเรื่องเดิม", "เรื่องเดิมค่ะ", "เพิ่มเติมเรื่องเดิมครับ")
SCORES = ("พึงพอใจมากที่สุด", "5", "๕", "4", "พอใจมากค่ะ", "3")
GIBBERISH = ("asdkjh qweoiu ฟหกด่าสว", "ฟหกดฟหกดฟหกด", "qwertyuiop")
LAUGHTER = ("555555", "5555 ขำ", "ฮ่าๆๆๆ", "😂😂😂")
NUMBERS = ("5", "12345", "๒๓", "7 ค่ะ")


def _scripts() -> list[Script]:
    out: list[Script] = []
    for channel in ("line", "facebook"):
        c = channel
        # 1. typed "new matter" words after the bot asks: the drain complaint becomes a case
        for i, word in enumerate(NEW[:4] if c == "line" else NEW[4:] + NEW[:1]):
            out.append(Script(f"typed-new-{i}", (Say(ROAD, "+A"), Say(DRAIN, "+B"), Say(word, "*")), c))
        for i, word in enumerate(MORE[:2] if c == "line" else MORE[2:]):
            out.append(Script(f"typed-more-{i}", (Say(LAMP, "+A"), Say("อีกเรื่องค่ะ ไฟตรงหน้าวัดก็ดับเหมือนกัน", "A"),
                                                  Say(word, "*")), c))
        # never asked a third time: two unclear answers → a new case, and the citizen is told
        out.append(Script("unclear-twice", (Say(ROAD, "+A"), Say(DRAIN, "+B"), Say("อะไรนะคะ", "*"),
                                            Say("ไม่แน่ใจค่ะ", "*")), c))
        # the citizen moves on without answering: the waiting complaint is not lost
        out.append(Script("moved-on", (Say(ROAD, "+A"), Say(DRAIN, "+B", "ท่านมีเรื่องเลขที่"), Say(LAMP, "*")), c))
        # pressing the button still works
        out.append(Script("press-new", (Say(ROAD, "+A"), Say(DRAIN, "+B"), Press("แจ้งเรื่องใหม่")), c))
        # typed survey answers
        for i, score in enumerate(SCORES[:3] if c == "line" else SCORES[3:]):
            value = {"พึงพอใจมากที่สุด": 5, "5": 5, "๕": 5, "4": 4, "พอใจมากค่ะ": 4, "3": 3}[score]
            out.append(Script(f"typed-survey-{i}", (Say(LAMP, "+A"), Resolve("A", "เปลี่ยนหลอดไฟเรียบร้อยแล้วครับ"),
                                                    Say(score, "A"), Satisfaction("A", value)), c))
        # status questions are stored on the case they ask about, in every ticket form
        for form in ("{A}", "{A_short}", "{A_slash}", "เรื่อง {A_short}", "{A_thai}"):
            out.append(Script(f"status-{form}", (Say(TRASH, "+A"), Say(f"{form} ถึงไหนแล้วคะ", "A"),
                                                 ), c))
        out.append(Script("status-plain", (Say(TRASH, "+A"), Say("เรื่องที่แจ้งไปถึงไหนแล้วคะ", "A")), c))
        # several open cases: the question waits on the contact for the pick, then lands on the picked case
        out.append(Script("status-pick", (Say(TRASH, "+A"), Say(NOISE, "+B"), Say("เรื่องใหม่ค่ะ", "*"),
                                          Say("เรื่องที่แจ้งไปถึงไหนแล้วคะ", "A"), Press("ดูสถานะเรื่องนี้")), c))
        out.append(Script("status-bare-ticket", (Say(ROAD, "+A"), Say("{A_short}", "A")), c))
        # someone else's ticket reveals nothing and lands on the asker's contact
        # FAQ with and without open cases: answered, not filed
        out.append(Script("faq-open-case", (Say(ROAD, "+A"), Say("สำนักงานเปิดกี่โมงคะ", "contact", "08.30")), c))
        out.append(Script("faq-no-case", (Say("สำนักงานเปิดกี่โมงคะ", "contact", "08.30"),), c))
        out.append(Script("faq-idcard-praise", (Say("ขอชมเจ้าหน้าที่กองช่างที่มาซ่อมถนนรวดเร็วมากครับ", "+A"),
                                                Say("ทำบัตรประชาชนใหม่ต้องใช้เอกสารอะไรบ้างครับ", "contact")), c))
        # nothing to file: sticker, greeting, laughter, gibberish, thanks with nothing resolved
        out.append(Script("sticker-first", (Sticker("contact"),), c))
        out.append(Script("sticker-open-case", (Say(ROAD, "+A"), Say("สวัสดีค่ะ", "contact")), c))
        out.append(Script("greeting", (Say("สวัสดีค่ะ", "contact"), Say("ขอบคุณค่ะ", "contact")), c))
        for i, text in enumerate(LAUGHTER[:2] if c == "line" else LAUGHTER[2:]):
            out.append(Script(f"laughter-{i}", (Say(ROAD, "+A"), Say(text, "contact")), c))
        for i, text in enumerate(GIBBERISH[:2] if c == "line" else GIBBERISH[2:]):
            out.append(Script(f"gibberish-{i}", (Say(text, "contact"),), c))
        # a lone number answers no question: kept on the contact, the citizen asked what they need
        for i, text in enumerate(NUMBERS[:2] if c == "line" else NUMBERS[2:]):
            out.append(Script(f"lone-number-{i}", (Say(ROAD, "+A"), Say(text, "contact", "ไม่แน่ใจว่าท่านต้องการ")), c))
        out.append(Script("lone-number-first", (Say("๒๓", "contact", "ไม่แน่ใจว่าท่านต้องการ"),), c))
        # thanks after resolution goes to the resolved case
        out.append(Script("thanks-after", (Say(LAMP, "+A"), Resolve("A", "เปลี่ยนหลอดไฟแล้วครับ"),
                                           Say("ขอบคุณมากค่ะ ไฟติดแล้ว", "A")), c))
        # several matters in one chat, each to its own case
        out.append(Script("two-matters", (Say(TRASH, "+A"), Say(NOISE, "+B"), Say("เรื่องใหม่ค่ะ", "*"),
                                          Say("ขอบคุณค่ะ", "contact")), c))
        # follow-up to the same matter attaches
        out.append(Script("same-matter", (Say(ROAD, "+A"), Say("หลุมอยู่ตรงหน้าร้านก๋วยเตี๋ยวนะคะ ลึกประมาณหนึ่งฟุต", "A")), c))
        # the urgent danger: the urgent standard and safety advice
        out.append(Script("urgent", (Say(WIRE, "+A", "ภายในวันนี้"),), c))
        out.append(Script("urgent-advice", (Say(WIRE, "+A", "1129"), Say("ส่งรูปให้แล้วนะคะ อยู่ตรงประตูโรงเรียนเลย", "A")), c))
        # a ticket of someone else: nothing revealed, the question stays on the asker's contact
        out.append(Script("stranger-ticket", (Say("ขอสอบถามเรื่อง 2569-1 ค่ะ", "contact", "ไม่พบเรื่องเลขที่"),), c))
    return out


SCRIPTS = _scripts()
