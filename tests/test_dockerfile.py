"""The image installs what pyproject.toml packages: every room directory is copied into it."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_packaged_room_is_copied_into_the_image() -> None:
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    rooms = {pattern.rstrip("*") for pattern in include}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE))
    assert rooms == copied, f"missing from the Dockerfile: {sorted(rooms - copied)}; not packaged: {sorted(copied - rooms)}"
