"""A Messenger reply of several parts: each part is its own outbox row with its own idempotency key, so a failed
later part is retried alone and no earlier part reaches the citizen twice."""
from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import OutboxMessage
from tests.conversation.corpus.runner import Citizen
from tests.conversation.corpus.scripts import ROAD
from tests.support.stubs import PlatformStub


def test_each_messenger_part_is_sent_once_across_retries(make_server, platform_stub: PlatformStub) -> None:
    server = make_server("sqlite")
    citizen = Citizen(server, platform_stub, channel="facebook", name="parts")
    platform_stub.fail_next(2)  # the first calls fail and are retried
    citizen.say(ROAD)
    with server.runtime.db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == citizen.user_id)
                                    .order_by(OutboxMessage.id)))
        assert len(rows) >= 3, "privacy notice, the case card's text and template, the group question"
        assert all(len(row.payload.get("messages") or [None]) == 1 for row in rows), "one part per row"
        assert len({row.idempotency_key for row in rows}) == len(rows)
        assert all(row.status == "sent" for row in rows)
        expected = [json.dumps(row.payload["messages"][0], sort_keys=True, ensure_ascii=False) for row in rows]
    delivered = [json.dumps(r.json["message"], sort_keys=True, ensure_ascii=False)
                 for r in platform_stub.sent("/me/messages") if r.json["recipient"]["id"] == citizen.user_id]
    assert sorted(delivered) == sorted(expected), "every part delivered, none twice"
