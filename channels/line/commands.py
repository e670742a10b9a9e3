"""`fangsiang line rich-menu`: create the LINE rich menu, upload its drawn image, make it the default."""
from __future__ import annotations

import argparse
import json
import sys

from agency.settings import Settings

TIMEOUT = 30


def register(commands) -> None:  # noqa: ANN001 — argparse's subparsers action
    """Add `line rich-menu` to the `fangsiang` command."""
    line = commands.add_parser("line", help="LINE Official Account set-up")
    line_commands = line.add_subparsers(dest="line_command", required=True)
    rich = line_commands.add_parser("rich-menu", help="create the rich menu (แจ้งเรื่อง / ติดตามเรื่อง / ...) and set it as default")
    rich.add_argument("--image-out", help="also save the drawn PNG here")
    rich.add_argument("--font", help="a Thai TrueType font (default: the first one found)")
    rich.set_defaults(run=_line_rich_menu)


def _line_rich_menu(args: argparse.Namespace, settings: Settings) -> int:
    """Create the menu, upload the PNG to api-data, set it as every user's default; prints the rich menu id."""
    from pathlib import Path

    import requests

    from agency.config import load_agency_config
    from bot.postbacks import PostbackSigner
    from channels.line import ADAPTER
    from channels.line.menu import FontMissing, draw_rich_menu

    if not settings.line_channel_access_token:
        print("ต้องตั้งค่า LINE_CHANNEL_ACCESS_TOKEN ก่อนสร้างริชเมนู", file=sys.stderr)
        return 2
    try:
        image = draw_rich_menu(font_path=Path(args.font) if args.font else None)
    except FontMissing as exc:
        print(f"ไม่พบฟอนต์ภาษาไทยสำหรับวาดริชเมนู: {exc}", file=sys.stderr)
        return 2
    if args.image_out:
        Path(args.image_out).write_bytes(image)
    menu = ADAPTER.menu(signer=PostbackSigner(secret=settings.postback_secret),  # the menu the channel contract checks
                        agency=load_agency_config(settings.fangsiang_agency_config))
    auth = {"Authorization": f"Bearer {settings.line_channel_access_token}"}
    api = settings.line_api_base_url.rstrip("/")
    try:
        created = requests.post(f"{api}/v2/bot/richmenu", headers={**auth, "Content-Type": "application/json"},
                                data=json.dumps(menu, ensure_ascii=False).encode(), timeout=TIMEOUT)
        created.raise_for_status()
        menu_id = created.json()["richMenuId"]
        uploaded = requests.post(f"{settings.line_data_url}/v2/bot/richmenu/{menu_id}/content",
                                 headers={**auth, "Content-Type": "image/png"}, data=image, timeout=TIMEOUT)
        uploaded.raise_for_status()
        default = requests.post(f"{api}/v2/bot/user/all/richmenu/{menu_id}", headers=auth, timeout=TIMEOUT)
        default.raise_for_status()
    except (requests.RequestException, KeyError, ValueError) as exc:
        print(f"สร้างริชเมนูไม่สำเร็จ: {exc}", file=sys.stderr)
        return 1
    print(menu_id)
    return 0
