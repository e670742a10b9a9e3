"""The LINE rich menu (definition and its image, drawn here with Pillow and a Thai font) of the shared menu
(`channels.menu`): แจ้งเรื่อง / ติดตามเรื่อง / คำถามที่พบบ่อย / ติดต่อเจ้าหน้าที่.

Thai needs complex text layout (tone marks over upper vowels): Pillow draws it correctly with libraqm, which the
Pillow wheels bundle (it loads the system's FriBiDi and HarfBuzz). Without raqm the basic layout is used and
stacked marks may collide; `text_layout()` says which one is in use.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, features

from bot.postbacks import MenuChoice, PostbackSigner
from channels.menu import MENU, MenuItem

WIDTH, HEIGHT = 2500, 843           # LINE's compact full-width size
IMAGE_LIMIT = 1024 * 1024           # LINE accepts rich-menu images up to 1 MB
CHAT_BAR_LIMIT = 14

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf",   # TH Sarabun New's design, the Thai government's font
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Waree-Bold.ttf",
    "/usr/share/fonts/opentype/tlwg/Laksaman-Bold.otf",
    "/usr/share/fonts/opentype/tlwg/Garuda-Bold.otf",
)


class FontMissing(RuntimeError):
    """No Thai font was found (install the Debian package fonts-thai-tlwg)."""


def find_thai_font(candidates: Sequence[str] = FONT_CANDIDATES) -> Path:
    """The first Thai font present on the system."""
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("ไม่พบฟอนต์ภาษาไทย: ติดตั้งแพ็กเกจ fonts-thai-tlwg ก่อนสร้างรูปเมนู")


def text_layout() -> str:
    """"raqm" when Pillow shapes Thai properly, else "basic"."""
    return "raqm" if features.check("raqm") else "basic"


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The font at a size, with complex layout when available."""
    engine = ImageFont.Layout.RAQM if text_layout() == "raqm" else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(path), size=size, layout_engine=engine)


def _icon(draw: ImageDraw.ImageDraw, item: str, cx: int, cy: int, r: int) -> None:
    """A simple white icon drawn with shapes, centred at (cx, cy) within radius r."""
    white = (255, 255, 255)
    w = max(6, r // 7)
    if item == "report":  # a megaphone
        draw.polygon([(cx - r * 0.55, cy - r * 0.25), (cx + r * 0.45, cy - r * 0.75), (cx + r * 0.45, cy + r * 0.75),
                      (cx - r * 0.55, cy + r * 0.25)], fill=white)
        draw.rectangle([cx - r * 0.85, cy - r * 0.3, cx - r * 0.5, cy + r * 0.3], fill=white)
        draw.rectangle([cx - r * 0.55, cy + r * 0.2, cx - r * 0.3, cy + r * 0.8], fill=white)
        for k in (0.7, 0.95):
            draw.arc([cx + r * 0.2 - r * k * 0.5, cy - r * k, cx + r * 0.2 + r * k, cy + r * k], -35, 35, fill=white,
                     width=w // 2 + 2)
    elif item == "status":  # a clipboard with ticks
        draw.rounded_rectangle([cx - r * 0.6, cy - r * 0.75, cx + r * 0.6, cy + r * 0.85], radius=r // 8, outline=white,
                               width=w)
        draw.rounded_rectangle([cx - r * 0.25, cy - r * 0.9, cx + r * 0.25, cy - r * 0.6], radius=r // 12, fill=white)
        for row in (-0.3, 0.1, 0.5):
            y = cy + r * row
            draw.line([(cx - r * 0.4, y), (cx - r * 0.28, y + r * 0.12), (cx - r * 0.1, y - r * 0.1)], fill=white,
                      width=w // 2 + 2, joint="curve")
            draw.line([(cx + r * 0.02, y), (cx + r * 0.4, y)], fill=white, width=w // 2 + 2)
    elif item == "faq":  # a speech bubble with a question mark
        draw.ellipse([cx - r * 0.85, cy - r * 0.75, cx + r * 0.85, cy + r * 0.6], outline=white, width=w)
        draw.polygon([(cx - r * 0.45, cy + r * 0.45), (cx - r * 0.65, cy + r * 0.95), (cx - r * 0.1, cy + r * 0.55)],
                     fill=white)
        draw.arc([cx - r * 0.28, cy - r * 0.52, cx + r * 0.28, cy + r * 0.02], 180, 420, fill=white, width=w)
        draw.line([(cx, cy + r * 0.02), (cx, cy + r * 0.17)], fill=white, width=w)
        draw.ellipse([cx - w * 0.7, cy + r * 0.3 - w * 0.7, cx + w * 0.7, cy + r * 0.3 + w * 0.7], fill=white)
    else:  # a mobile phone with sound waves
        draw.rounded_rectangle([cx - r * 0.42, cy - r * 0.85, cx + r * 0.3, cy + r * 0.85], radius=r // 6, outline=white,
                               width=w)
        draw.line([(cx - r * 0.2, cy - r * 0.6), (cx + r * 0.08, cy - r * 0.6)], fill=white, width=w // 2 + 2)
        draw.ellipse([cx - r * 0.13, cy + r * 0.5, cx + r * 0.01, cy + r * 0.64], fill=white)
        for k in (0.45, 0.7):
            draw.arc([cx + r * 0.3 - r * k, cy - r * k - r * 0.1, cx + r * 0.3 + r * k, cy + r * k - r * 0.1], -40, 40,
                     fill=white, width=w // 2 + 2)


def _fitted(path: Path, text: str, *, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The largest font up to `size` whose rendering of text fits in `width` pixels."""
    while size > 24:
        font = _font(path, size)
        left, _, right, _ = font.getbbox(text)
        if right - left <= width:
            return font
        size -= 4
    return _font(path, size)


def draw_rich_menu(*, font_path: Path | None = None, items: Sequence[MenuItem] = MENU) -> bytes:
    """The rich menu's PNG: one coloured panel per item with an icon, its label and a hint."""
    path = font_path or find_thai_font()
    image = Image.new("RGB", (WIDTH, HEIGHT), (244, 246, 249))
    draw = ImageDraw.Draw(image)
    cell, gap = WIDTH // len(items), 18
    room = cell - 2 * gap - 70
    # One size for every label (and every hint): the largest at which the longest one still fits its panel.
    label_font = min((_fitted(path, e.label, size=96, width=room) for e in items), key=lambda f: f.size)
    hint_font = min((_fitted(path, e.hint, size=58, width=room) for e in items), key=lambda f: f.size)
    for index, entry in enumerate(items):
        left = index * cell
        draw.rounded_rectangle([left + gap, gap, left + cell - gap, HEIGHT - gap], radius=48, fill=entry.colour)
        cx = left + cell // 2
        draw.ellipse([cx - 150, 90, cx + 150, 390], fill=tuple(min(255, c + 35) for c in entry.colour))
        _icon(draw, entry.item, cx, 240, 120)
        draw.text((cx, 540), entry.label, font=label_font, fill=(255, 255, 255), anchor="mm")
        draw.text((cx, 665), entry.hint, font=hint_font, fill=(235, 240, 248), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > IMAGE_LIMIT:
        raise ValueError("rich menu image larger than LINE's 1 MB")
    return data


def line_rich_menu(*, signer: PostbackSigner, name: str = "Fang Siang main menu", chat_bar_text: str = "เมนูบริการ",
                   items: Sequence[MenuItem] = MENU) -> dict[str, Any]:
    """The rich menu object for LINE's `POST /v2/bot/richmenu`: four equal areas, each a signed postback."""
    if len(chat_bar_text) > CHAT_BAR_LIMIT:
        raise ValueError(f"chatBarText is at most {CHAT_BAR_LIMIT} characters")
    cell = WIDTH // len(items)
    areas = []
    for index, entry in enumerate(items):
        action: dict[str, Any] = {"type": "postback", "label": entry.label,
                                  "data": signer.sign(MenuChoice(item=entry.item)), "displayText": entry.label}
        if entry.item == "report":
            action["inputOption"] = "openKeyboard"  # the citizen can start typing at once
        width = cell if index < len(items) - 1 else WIDTH - cell * index
        areas.append({"bounds": {"x": cell * index, "y": 0, "width": width, "height": HEIGHT}, "action": action})
    return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": name[:300],
            "chatBarText": chat_bar_text, "areas": areas}
