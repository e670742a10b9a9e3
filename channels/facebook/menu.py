"""Messenger's persistent menu, greeting and Get Started button, from the shared menu (`channels.menu`)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agency.config import AgencyConfig
from bot.postbacks import MenuChoice, PostbackSigner
from channels.menu import MENU, MenuItem

MESSENGER_TITLE_LIMIT = 30
GREETING_LIMIT = 160


def messenger_profile(*, signer: PostbackSigner, greeting: str, items: Sequence[MenuItem] = MENU) -> dict[str, Any]:
    """The Messenger Profile API body: Get Started payload, greeting and persistent menu (signed postbacks)."""
    if len(greeting) > GREETING_LIMIT:
        raise ValueError(f"the Messenger greeting is at most {GREETING_LIMIT} characters")
    return {
        "get_started": {"payload": signer.sign(MenuChoice(item="start"))},
        "greeting": [{"locale": "default", "text": greeting}],
        "persistent_menu": [{
            "locale": "default",
            "composer_input_disabled": False,
            "call_to_actions": [
                {"type": "postback", "title": entry.label[:MESSENGER_TITLE_LIMIT],
                 "payload": signer.sign(MenuChoice(item=entry.item))}
                for entry in items
            ],
        }],
    }


def page_profile(*, signer: PostbackSigner, agency: AgencyConfig) -> dict[str, Any]:
    """The agency's Messenger Profile: its greeting with the shared menu."""
    greeting = f"{agency.short_name} รับแจ้งเรื่องร้องเรียน สอบถาม และข้อเสนอแนะ ตลอด 24 ชั่วโมงค่ะ"
    return messenger_profile(signer=signer, greeting=greeting[:GREETING_LIMIT])
