"""The `fangsiang` command as an operator uses it: users add, simulate, db upgrade."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support.server import LiveServer
from tests.support.stubs import PlatformStub


def run_cli(server: LiveServer, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    s = server.settings
    env = {
        **os.environ,
        "FANGSIANG_DATA_DIR": str(s.fangsiang_data_dir),
        "FANGSIANG_MODEL_DIR": str(s.model_dir),
        "LINE_CHANNEL_SECRET": s.line_channel_secret,
        "FACEBOOK_APP_SECRET": s.facebook_app_secret,
        "FANGSIANG_BASE_URL": server.url,
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "fangsiang.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_users_add_then_sign_in_through_the_api(live_server: LiveServer) -> None:
    result = run_cli(live_server, "users", "add", "Somchai@Example.go.th", "--role", "officer", "--unit",
                     "public_works", "--password-stdin", stdin="a long passphrase 42\n")
    assert result.returncode == 0, result.stderr
    assert "somchai@example.go.th" in result.stdout
    token = live_server.client.post("/api/auth/token",
                                    data={"username": "somchai@example.go.th", "password": "a long passphrase 42"})
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer" and token.json()["access_token"]

    duplicate = run_cli(live_server, "users", "add", "somchai@example.go.th", "--role", "officer", "--unit",
                        "public_works", "--password-stdin", stdin="a long passphrase 42\n")
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    no_unit = run_cli(live_server, "users", "add", "x@example.go.th", "--role", "officer", "--unit", "nowhere",
                      "--password-stdin", stdin="a long passphrase 42\n")
    assert no_unit.returncode == 2 and "no unit" in no_unit.stderr
    assert "public_works" in no_unit.stderr and "กองช่าง" in no_unit.stderr  # the valid ones are listed
    by_name = run_cli(live_server, "users", "add", "malee@example.go.th", "--role", "officer", "--unit", "กองช่าง",
                      "--password-stdin", stdin="a long passphrase 42\n")
    assert by_name.returncode == 0, by_name.stderr
    assert "malee@example.go.th (officer, public_works)" in by_name.stdout


def test_simulate_plays_a_citizen_on_each_channel(live_server: LiveServer, platform_stub: PlatformStub) -> None:
    line = run_cli(live_server, "simulate", "line", "ไฟฟ้าส่องสว่างดับทั้งซอยครับ", "--user", "sim-1", "--wait", "0")
    assert line.returncode == 0, line.stderr
    assert "→ 200" in line.stdout
    fb = run_cli(live_server, "simulate", "facebook", "สอบถามเวลาทำการค่ะ", "--wait", "0")
    assert fb.returncode == 0, fb.stderr
    comment = run_cli(live_server, "simulate", "facebook", "ถนนพังมาก", "--comment", "--wait", "0")
    assert comment.returncode == 0, comment.stderr
    # each channel answered: LINE, Messenger, and the public reply under the Page comment
    platform_stub.wait_for(lambda s: any("/v2/bot/message" in r.path for r in s)
                           and any("/me/messages" in r.path for r in s)
                           and any("/v2/bot/" not in r.path and "/me/messages" not in r.path for r in s))


def test_db_upgrade_is_idempotent(live_server: LiveServer) -> None:
    result = run_cli(live_server, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_import_labels_history_with_the_trained_model(live_server: LiveServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Not the keyword rules: request-phrased and dialect complaints the rules call "other" come in as complaints."""
    from sqlalchemy import select

    from classifier import Classifier
    from storage.models import Case

    texts = ["แผ่นปูทางเท้ายกตัวเป็นสันสูงตรงหน้าธนาคาร คุณยายสะดุดล้มเมื่อเช้า เข่าแตก",
             "ขอให้ส่งคนมาซ่อมราวกันตกริมคลองด้วยนะครับ ล้มไปสองช่วงแล้ว กลางคืนมองไม่เห็นอาจตกคลองได้",
             "น้ำประปาบ่ไหลมาสามวันแล้วเจ้า บ้านป่าแดด หมู่ 6 บ่มีน้ำอาบน้ำกิน ลำบากขนาด"]
    register = tmp_path / "register.csv"
    register.write_text("วันที่,เรื่อง\n" + "".join(f"{n + 1}/3/2569,\"{t}\"\n" for n, t in enumerate(texts)),
                        encoding="utf-8-sig")
    result = run_cli(live_server, "import", str(register), "--text-column", "เรื่อง", "--date-column", "วันที่",
                     "--channel", "โทรศัพท์", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "นำเข้าแล้ว 3 แถว" in result.stdout
    model = Classifier.load(live_server.settings.model_dir)
    with live_server.runtime.db.session() as session:
        stored = {c.summary: (c.intent, c.unit_code) for c in session.scalars(select(Case))}
    for text in texts:
        expected = model.classify(text)
        assert stored[text] == (expected.intent, expected.unit) and expected.intent == "complaint"


def _fresh_cli(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """The command on a new data directory, as an operator runs it before any channel is set up."""
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(tmp_path / "data"), "FANGSIANG_MODEL_DIR": str(tmp_path / "models"),
           "FANGSIANG_LOG_LEVEL": "INFO"}
    for name in ("DATABASE_URL", "REDIS_URL", "LINE_CHANNEL_ACCESS_TOKEN", "FACEBOOK_PAGE_ACCESS_TOKEN"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "fangsiang.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=300)


def test_commands_that_send_nothing_say_nothing_about_channel_tokens(tmp_path) -> None:  # type: ignore[no-untyped-def]
    added = _fresh_cli(tmp_path, "users", "add", "admin@example.go.th", "--role", "admin", "--password-stdin",
                       stdin="a long passphrase 42\n")
    upgraded = _fresh_cli(tmp_path, "db", "upgrade")
    assert added.returncode == 0 and upgraded.returncode == 0, added.stderr + upgraded.stderr
    assert added.stdout == "added admin@example.go.th (admin)\n"
    for result in (added, upgraded):
        assert "TOKEN" not in result.stdout + result.stderr and "transcript" not in result.stderr, result.stderr


def test_importing_a_missing_file_says_so_before_any_model_is_trained(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _fresh_cli(tmp_path, "import", str(tmp_path / "ทะเบียนเรื่อง.csv"), "--text-column", "เรื่อง")
    assert result.returncode == 2
    assert f"นำเข้าไม่ได้: ไม่พบไฟล์ {tmp_path / 'ทะเบียนเรื่อง.csv'}" in result.stderr
    assert "TOKEN" not in result.stderr and "กำลังเตรียมตัวจำแนกข้อความ" not in result.stderr
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_simulate_shows_every_reply_with_numbered_buttons_and_presses_one(make_server) -> None:
    server = make_server("sqlite", line_channel_access_token="")  # no credentials: replies go to the transcript
    hello = run_cli(server, "simulate", "line", "สวัสดีค่ะ", "--user", "sim-press", "--wait", "30")
    assert hello.returncode == 0, hello.stderr
    assert "นโยบายคุ้มครองข้อมูล" in hello.stdout, "the privacy notice and the answer after it: every message shown"
    assert "[1] แจ้งเรื่อง" in hello.stdout and "[2] ติดตามเรื่อง" in hello.stdout, hello.stdout
    pressed = run_cli(server, "simulate", "line", "--press", "2", "--user", "sim-press", "--wait", "30")
    assert pressed.returncode == 0, pressed.stderr
    assert "กดปุ่ม [2] ติดตามเรื่อง" in pressed.stdout and "ยังไม่พบเรื่องที่ท่านแจ้งไว้" in pressed.stdout, pressed.stdout
    missing = run_cli(server, "simulate", "line", "--press", "99", "--user", "sim-press", "--wait", "0")
    assert missing.returncode == 2 and "no button 99" in missing.stderr


def test_standalone_classify_uses_every_core_unless_threads_are_set(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`fangsiang classify` / `evaluate` run alone: e5 may use every core; FANGSIANG_THREADS, when set, still caps
    them (the worker and the web app always keep their setting)."""
    from agency.settings import Settings
    from fangsiang import cli

    calls: list[int] = []
    monkeypatch.setattr(cli, "limit_threads", calls.append)
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 2)
    monkeypatch.delenv("FANGSIANG_THREADS", raising=False)
    cli._every_core_unless_set(Settings(_env_file=None))
    monkeypatch.setenv("FANGSIANG_THREADS", "1")
    cli._every_core_unless_set(Settings(_env_file=None))
    assert calls == [2]
