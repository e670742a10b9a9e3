"""`fangsiang facebook menu`: Messenger's persistent menu, greeting and Get Started button."""
from __future__ import annotations

import argparse
import sys

from agency.settings import Settings

TIMEOUT = 30


def register(commands) -> None:  # noqa: ANN001 — argparse's subparsers action
    """Add `facebook menu` to the `fangsiang` command."""
    facebook = commands.add_parser("facebook", help="Facebook Page set-up")
    facebook_commands = facebook.add_subparsers(dest="facebook_command", required=True)
    menu = facebook_commands.add_parser("menu", help="set Messenger's persistent menu, greeting and Get Started")
    menu.set_defaults(run=_facebook_menu)


def _facebook_menu(args: argparse.Namespace, settings: Settings) -> int:
    """POST the Messenger Profile (persistent menu, greeting, Get Started) for the Page."""
    import requests

    from agency.config import load_agency_config
    from bot.postbacks import PostbackSigner
    from channels.facebook import ADAPTER

    if not settings.facebook_page_access_token:
        print("ต้องตั้งค่า FACEBOOK_PAGE_ACCESS_TOKEN ก่อนตั้งเมนู Messenger", file=sys.stderr)
        return 2
    agency = load_agency_config(settings.fangsiang_agency_config)
    profile = ADAPTER.menu(signer=PostbackSigner(secret=settings.postback_secret), agency=agency)  # as contracted
    graph = settings.facebook_graph_url.rstrip("/")
    try:
        answer = requests.post(f"{graph}/v19.0/me/messenger_profile",
                               params={"access_token": settings.facebook_page_access_token},
                               json=profile, timeout=TIMEOUT)
        answer.raise_for_status()
    except requests.RequestException as exc:
        print(f"ตั้งเมนู Messenger ไม่สำเร็จ: {exc}", file=sys.stderr)
        return 1
    print("ok")
    return 0
