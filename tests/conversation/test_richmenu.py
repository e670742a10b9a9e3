"""The LINE rich menu (definition and drawn image) and Messenger's persistent menu."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from bot.postbacks import MenuChoice, PostbackSigner
from channels.facebook.menu import messenger_profile
from channels.line.menu import (
    HEIGHT,
    WIDTH,
    FontMissing,
    draw_rich_menu,
    find_thai_font,
    line_rich_menu,
    text_layout,
)
from channels.menu import MENU

SIGNER = PostbackSigner(secret="test-secret-of-enough-length")


def test_rich_menu_definition_covers_the_image_with_four_signed_postbacks() -> None:
    menu = line_rich_menu(signer=SIGNER)
    assert menu["size"] == {"width": 2500, "height": 843} and menu["selected"] is True
    assert 1 <= len(menu["chatBarText"]) <= 14
    areas = menu["areas"]
    assert [a["action"]["label"] for a in areas] == ["แจ้งเรื่อง", "ติดตามเรื่อง", "คำถามที่พบบ่อย", "ติดต่อเจ้าหน้าที่"]
    assert sum(a["bounds"]["width"] for a in areas) == WIDTH
    x = 0
    for area in areas:
        bounds, action = area["bounds"], area["action"]
        assert bounds["x"] == x and bounds["y"] == 0 and bounds["height"] == HEIGHT
        x += bounds["width"]
        assert action["type"] == "postback" and len(action["label"]) <= 20 and len(action["data"]) <= 300
        assert action["displayText"] == action["label"]
    items = [SIGNER.read(a["action"]["data"]).action for a in areas]
    assert items == [MenuChoice(item=i) for i in ("report", "status", "faq", "contact")]
    assert areas[0]["action"]["inputOption"] == "openKeyboard"


def test_menu_postbacks_never_go_stale() -> None:
    old = PostbackSigner(secret="test-secret-of-enough-length",
                         clock=lambda: dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    data = line_rich_menu(signer=old)["areas"][1]["action"]["data"]
    assert SIGNER.read(data).action == MenuChoice(item="status")


def test_rich_menu_image_is_a_png_of_the_right_size() -> None:
    png = draw_rich_menu()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 1024 * 1024
    image = Image.open(io.BytesIO(png))
    assert image.size == (WIDTH, HEIGHT) and image.format == "PNG"
    # every panel is drawn in its own colour, with white text and icons on it
    for index, entry in enumerate(MENU):
        cx = index * (WIDTH // len(MENU)) + WIDTH // len(MENU) // 2
        assert image.getpixel((cx - 250, 780))[:3] == entry.colour
        band = image.crop((cx - 250, 480, cx + 250, 600)).convert("L")
        assert max(band.getdata()) > 240  # the label's white strokes


def test_thai_is_shaped_with_raqm_here() -> None:
    assert text_layout() == "raqm"  # Pillow's wheel bundles libraqm; FriBiDi/HarfBuzz come from the system
    assert find_thai_font().suffix in {".ttf", ".otf"}


def test_missing_font_is_a_clear_error() -> None:
    with pytest.raises(FontMissing):
        find_thai_font(("/nonexistent/font.ttf",))


def test_messenger_profile() -> None:
    profile = messenger_profile(signer=SIGNER, greeting="สวัสดีค่ะ ทต.ฟังเสียง ยินดีให้บริการ แจ้งเรื่อง ติดตามเรื่อง หรือสอบถามได้ที่นี่ค่ะ")
    assert SIGNER.read(profile["get_started"]["payload"]).action == MenuChoice(item="start")
    assert len(profile["greeting"][0]["text"]) <= 160
    [menu] = profile["persistent_menu"]
    assert menu["locale"] == "default" and menu["composer_input_disabled"] is False
    titles = [c["title"] for c in menu["call_to_actions"]]
    assert titles == ["แจ้งเรื่อง", "ติดตามเรื่อง", "คำถามที่พบบ่อย", "ติดต่อเจ้าหน้าที่"]
    for action in menu["call_to_actions"]:
        assert action["type"] == "postback" and len(action["title"]) <= 30 and len(action["payload"]) <= 1000
    with pytest.raises(ValueError):
        messenger_profile(signer=SIGNER, greeting="ก" * 161)
