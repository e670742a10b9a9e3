"""Fuzzing the webhooks with signed bodies: never a 5xx, and every valid event of a mixed batch stored.

Each channel gets thousands of generated or mutated bodies, first straight through the parser and the channel (fast,
no server), then against the live service on SQLite and on PostgreSQL + Redis, one server per backend for all
examples, several bodies per example posted concurrently (the ingest writer commits them together).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select, tuple_

from listeners.base import InputChannel, WebhookRejected, parse_body
from channels.facebook.inbound import FacebookChannel
from channels.line.inbound import LineChannel
from listeners.payloads import has_lone_surrogate, storable_json
from storage.models import InboundEvent
from tests.listeners.fuzz import Body, bodies
from tests.support.server import LiveServer

BODIES_PER_EXAMPLE = 25
EXAMPLES = 200  # × 25 = 5,000 bodies per channel in process
LIVE_EXAMPLES = 120  # × 25 = 3,000 bodies per channel and backend through the running service (CI's time budget)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), print_blob=True)
LIVE_FUZZ = settings(FUZZ, max_examples=LIVE_EXAMPLES)
CHANNELS: dict[str, Callable[[], InputChannel]] = {
    "line": lambda: LineChannel(channel_secret="fuzz-secret"),
    "facebook": lambda: FacebookChannel(app_secret="fuzz-secret", verify_token="t"),
}


@dataclass
class Tally:
    """What a fuzz run tried and saw."""

    bodies: int = 0
    mixed: int = 0
    valid_events: int = 0
    server_errors: int = 0


def _check_direct(channel: InputChannel, body: Body) -> None:
    """Parse and normalise one body as the webhook does; a mixed batch keeps every valid event, storably."""
    try:
        messages, _ = channel.messages(parse_body(body.raw))
    except WebhookRejected as exc:
        assert not body.mixed, f"a well-formed batch was refused: {exc.detail}"
        assert exc.status_code == 400
        return
    keys = {(m.channel, m.event_key) for m in messages}
    assert set(body.valid_keys) <= keys, "a valid event was lost"
    for m in messages:
        for value in (m.event_key, m.external_user_id, m.external_message_id, m.reply_token, m.thread_ref):
            assert value is None or ("\x00" not in value and not has_lone_surrogate(value) and len(value) <= 200)
        assert "\x00" not in m.text and not has_lone_surrogate(m.text)
        assert all(storable_json(v) is None for v in (m.raw, m.attachments, m.location))


def _run_direct(name: str) -> Tally:
    """Many bodies through parse_body and the channel, in process."""
    channel, tally = CHANNELS[name](), Tally()

    @FUZZ
    @given(bodies(name, BODIES_PER_EXAMPLE))
    def run(batch: list[Body]) -> None:
        for body in batch:
            tally.bodies += 1
            tally.mixed += body.mixed
            tally.valid_events += len(body.valid_keys)
            _check_direct(channel, body)

    run()
    return tally


def test_line_bodies_straight_through_the_channel() -> None:
    tally = _run_direct("line")
    assert tally.bodies >= 5_000 and tally.mixed >= 3_000 and tally.valid_events >= 10_000, tally


def test_facebook_bodies_straight_through_the_channel() -> None:
    tally = _run_direct("facebook")
    assert tally.bodies >= 5_000 and tally.mixed >= 3_000 and tally.valid_events >= 10_000, tally


def _post(server: LiveServer, name: str, body: Body) -> httpx.Response:
    """Sign and post one body to the channel's webhook."""
    if name == "line":
        return server.post_line(body=body.raw)
    return server.post_facebook(body=body.raw)


def _stored(server: LiveServer, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (channel, event_key) pairs are in the database."""
    with server.runtime.db.session() as session:
        rows = session.execute(select(InboundEvent.channel, InboundEvent.event_key)
                               .where(tuple_(InboundEvent.channel, InboundEvent.event_key).in_(keys)))
        return {(row.channel, row.event_key) for row in rows}


def _run_live(server: LiveServer, name: str, pool: ThreadPoolExecutor) -> Tally:
    """Many signed bodies against the running service; every valid event of a mixed batch checked in the database."""
    tally = Tally()
    failures: list[str] = []

    @LIVE_FUZZ
    @given(bodies(name, BODIES_PER_EXAMPLE))
    def run(batch: list[Body]) -> None:
        responses = list(pool.map(lambda body: _post(server, name, body), batch))
        keys: list[tuple[str, str]] = []
        for body, response in zip(batch, responses):
            tally.bodies += 1
            tally.mixed += body.mixed
            if response.status_code >= 500:
                tally.server_errors += 1
                failures.append(f"{response.status_code} {response.text[:200]} for {body.raw[:300]!r}")
            assert response.status_code < 500, failures[-1]
            if body.mixed:
                assert response.status_code == 200, (response.text, body.raw[:300])
                keys.extend(body.valid_keys)
        tally.valid_events += len(keys)
        missing = set(keys) - _stored(server, keys)
        assert not missing, f"valid events not stored: {sorted(missing)[:5]}"

    run()
    return tally


def test_signed_fuzz_against_the_live_service(make_server, backend: str) -> None:  # type: ignore[no-untyped-def]
    server: LiveServer = make_server(backend, run_worker=False)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        tallies = {name: _run_live(server, name, pool) for name in CHANNELS}
    elapsed = time.monotonic() - started
    print(f"\n{backend}: {tallies} in {elapsed:.0f} s")
    for name, tally in tallies.items():
        assert tally.bodies >= LIVE_EXAMPLES * BODIES_PER_EXAMPLE and tally.server_errors == 0, (name, tally)
        assert tally.valid_events >= 6_000, (name, tally)
