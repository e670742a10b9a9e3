"""The privacy policy has one name wherever a citizen or an officer reads it (issue 16): agency.vocabulary's
PRIVACY_POLICY_NAME, never another spelling in the bot's words, the pages, the config or the README."""
from __future__ import annotations

import re
from pathlib import Path

from agency.vocabulary import PRIVACY_POLICY_NAME

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("agency", "bot", "conversation", "inbox", "places", "web", "cases", "reports", "fangsiang")
# What else the policy or the notice gets called: "นโยบายคุ้มครองข้อมูล" short of "ส่วนบุคคล", "ความเป็นส่วนตัว"…
OTHER_NAMES = re.compile(r"นโยบายคุ้มครองข้อมูล(?!ส่วนบุคคล)|นโยบายความเป็นส่วนตัว|ประกาศความเป็นส่วนตัว|"
                         r"คำประกาศเกี่ยวกับความเป็นส่วนตัว|นโยบายการคุ้มครองข้อมูล|นโยบายข้อมูลส่วนบุคคล")


def _readable_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for room in ROOMS:
        files += [p for p in (ROOT / room).rglob("*") if p.suffix in {".py", ".html", ".toml", ".md", ".js"}]
    return files


def test_the_privacy_policy_has_one_name() -> None:
    assert PRIVACY_POLICY_NAME == "นโยบายคุ้มครองข้อมูลส่วนบุคคล"
    others = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in _readable_files()
              for m in OTHER_NAMES.finditer(path.read_text(encoding="utf-8"))]
    assert not others, others
    spelled = [str(path.relative_to(ROOT)) for path in _readable_files()
               if PRIVACY_POLICY_NAME in path.read_text(encoding="utf-8") and path.suffix != ".md"]
    assert spelled == ["agency/vocabulary.py"], f"the name is spelt once, in the vocabulary: {spelled}"
