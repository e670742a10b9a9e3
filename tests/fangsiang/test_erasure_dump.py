"""PDPA erasure that erases: values a citizen planted through real LINE messages, copied into a correction, an
officer's reply and note, are found nowhere afterwards — in no table and no column of the database, and on SQLite
not in the bytes of the .db and -wal files either (on PostgreSQL no dead row version is left in the erased tables);
the admin's case page no longer shows them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import make_url

from fangsiang.citizen_rights import ERASED_TABLES
from listeners import simulator
from storage.models import Message, OutboxMessage
from tests.inbox.helpers import case_from_line, other_unit, staff
from tests.inbox.test_pages import sign_in
from tests.support.server import LiveServer

NAME, SURNAME = "สมหญิง", "ลบข้อมูลดี"
PHONE = "081-555-0199"
NATIONAL_ID = "3101700230713"
EMAIL = "somying.private@example.com"
LINE_ID = "somying_line99"
HOUSE = "88/123"
CITIZEN = "erase-me"


def _cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    """`fangsiang …` as an operator runs it on the server's database."""
    s = server.settings
    env = {**os.environ, "FANGSIANG_DATA_DIR": str(s.fangsiang_data_dir), "FANGSIANG_MODEL_DIR": str(s.model_dir),
           "LINE_CHANNEL_SECRET": s.line_channel_secret}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    if s.database_url:
        env["DATABASE_URL"] = s.database_url
    return subprocess.run([sys.executable, "-m", "fangsiang.cli", *args], capture_output=True, text=True, env=env,
                          timeout=180)


def _dump(server: LiveServer) -> str:
    """Every value of every column of every table, as text."""
    engine = server.runtime.db.engine
    metadata = MetaData()
    metadata.reflect(engine)
    parts = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                parts.append(" ".join(str(value) for value in row))
    return "\n".join(parts)


def _raw_files(server: LiveServer) -> bytes:
    """The SQLite database file and its write-ahead log, byte for byte."""
    path = Path(make_url(server.runtime.db.url).database or "")
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _dead_row_versions(server: LiveServer) -> dict[str, int]:
    """The dead row versions physically left in each table the erasure touched, counted by scanning the table file
    (`pgstattuple`: exact, where `pg_stat_user_tables` reports with a lag)."""
    with server.runtime.db.engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))
        return {table: connection.execute(text("SELECT dead_tuple_count FROM pgstattuple(:t)"), {"t": table}).scalar_one()
                for table in ERASED_TABLES}


def test_erasure_leaves_no_planted_value_anywhere(make_server, backend: str, platform_stub) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend)
    user_id = simulator.line_user_id(CITIZEN)
    planted = (NAME, SURNAME, PHONE, NATIONAL_ID, EMAIL, LINE_ID, HOUSE, user_id)
    case = case_from_line(server, f"ดิฉันชื่อ{NAME} {SURNAME} โทร {PHONE} เลขบัตรประชาชน {NATIONAL_ID} อีเมล {EMAIL} "
                                  f"ไลน์ไอดี {LINE_ID} บ้านเลขที่ {HOUSE} ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มสองคันแล้วค่ะ",
                          user=CITIZEN)
    location = simulator.line_event(user_id=user_id, timestamp_ms=int(time.time() * 1000), message={
        "id": "4400001", "type": "location", "title": f"บ้าน{NAME} {SURNAME}",
        "address": f"{HOUSE} ถนนเพชรเกษม แขวงบางแค กรุงเทพมหานคร", "latitude": 13.71, "longitude": 100.41})
    assert server.post_line(location).status_code == 200
    assert server.post_line(server.line_text(f"ติดต่อกลับที่อีเมล {EMAIL} ได้ค่ะ", user=CITIZEN)).status_code == 200
    who = staff(server, case)
    reply = f"เรียนคุณ{NAME} {SURNAME} เจ้าหน้าที่จะโทรกลับที่เบอร์ {PHONE} และไปดูที่บ้านเลขที่ {HOUSE} ค่ะ"
    assert server.client.post(f"/api/cases/{case.id}/reply", json={"text": reply},
                              headers=who["officer"]).status_code == 200
    assert server.client.post(f"/api/cases/{case.id}/notes", json={"text": f"คุณ{NAME} {SURNAME} {PHONE} ขอให้รีบ"},
                              headers=who["officer"]).status_code == 200
    assert server.client.post(f"/api/cases/{case.id}/intent", json={"intent": "suggestion"},
                              headers=who["officer"]).status_code == 200  # a correction keeps the first message
    assert server.client.post(f"/api/cases/{case.id}/assign", json={
        "unit": other_unit(case), "reason": f"คุณ{NAME} โทร {PHONE} ขอให้กองอื่นดูแล"},
        headers=who["officer"]).status_code == 200
    platform_stub.wait_for(lambda sent: any(NAME in r.text for r in sent), timeout=60)  # the reply went out

    def settled() -> bool:
        with server.runtime.db.session() as session:
            waiting = session.scalar(select(Message.id).where(Message.processed_at.is_(None),
                                                              Message.direction == "in").limit(1))
            sending = session.scalar(select(OutboxMessage.id).where(OutboxMessage.status.in_(("pending", "sending")))
                                     .limit(1))
            return waiting is None and sending is None
    server.wait_until(settled, timeout=60)
    dump = _dump(server)
    assert all(value in dump for value in planted), [v for v in planted if v not in dump]

    # the worker stopped: its later updates (the outbox, periodic jobs) would leave dead versions of already erased
    # rows, and the check below is that none is left of the rows that held the words
    server.worker.stop(timeout=30)
    erased = _cli(server, "citizens", "erase", "--channel", "line", "--user", user_id)
    assert erased.returncode == 0, erased.stderr

    dump = _dump(server)
    left = {value: dump[max(0, dump.find(value) - 80):dump.find(value) + 80] for value in planted if value in dump}
    assert not left, left
    if backend == "sqlite":
        raw = _raw_files(server)
        assert not [value for value in planted if value.encode() in raw]
    else:  # the updates' old row versions, which still held the words, were vacuumed out of the table files
        assert _dead_row_versions(server) == dict.fromkeys(ERASED_TABLES, 0)
    admin_page = sign_in(server, "admin@example.go.th").get(f"/inbox/cases/{case.id}")
    assert admin_page.status_code == 200
    assert not [value for value in planted if value in admin_page.text]
