"""The improvement register's edits are audited as {field: [old, new]}, by the same helper as a case's changes."""
from __future__ import annotations

import datetime as dt

from reports.register import save_improvement
from storage.db import Database
from storage.models import AuditEvent, User, utcnow


def test_an_edit_is_audited_field_by_field(database: Database) -> None:
    form = {"day": "2026-10-01", "unit_code": "public_works", "issue": "ถนนชำรุดซ้ำในซอยเดิม", "link_kind": "trend",
            "link_ref": "ประเด็นถนนชำรุด ต.ค. 2569", "old_process": "รอรวบรวมเรื่องทุกเดือน",
            "new_process": "ออกตรวจภายใน 3 วันทำการ", "old_days": "30", "new_days": "3"}
    with database.session() as session:
        analyst = User(email="analyst@example.go.th", password_hash="x", role="analyst", active=True)
        session.add(analyst)
        session.flush()
        entry = save_improvement(session, form=form, user=analyst, now=utcnow())
        save_improvement(session, form={**form, "day": "2026-10-02", "new_days": "2"}, user=analyst, now=utcnow(),
                         entry=entry)
        assert entry.day == dt.date(2026, 10, 2) and entry.new_days == 2.0
        changed = session.query(AuditEvent).filter_by(action="improvement_changed").one()
        assert changed.details["changes"] == {"day": ["2026-10-01", "2026-10-02"], "new_days": [3.0, 2.0]}
