"""The web report form's flood limit holds across processes: the reports one address filed within the hour are
counted in the database, atomically, so several processes (or two apps behind a load balancer) together allow no
more than the limit; the refusal is the form's Thai 429."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import traceback

import pytest
from sqlalchemy import select

from places.flood import take_report_slot
from places.models import ReportSender
from storage.db import Database
from tests.places.conftest import HOME
from tests.places.test_report_live import post_report

SECRET = "test-secret-key-" + "x" * 32
NOW = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
PROCESSES, TRIES, LIMIT = 4, 3, 5


def _flood(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One web process: its own engine, then every try at once with the others."""
    try:
        db = Database(url)
        barrier.wait(30)
        results.put([take_report_slot(db, secret=SECRET, address="203.0.113.9", limit=LIMIT, now=NOW)
                     for _ in range(TRIES)])
        db.dispose()
    except BaseException:
        results.put(traceback.format_exc())


def test_processes_flooding_together_get_the_limit_and_no_more(places_db: Database, backend: str) -> None:
    places_db.dispose()  # the children open their own connections
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_flood, args=(places_db.url, barrier, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    answers = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
    assert not [answer for answer in answers if isinstance(answer, str)], answers
    assert sum(sum(answer) for answer in answers) == LIMIT, answers  # 12 tries at once, 5 allowed


def test_the_hour_slides_per_address_and_no_address_is_stored(places_db: Database, backend: str) -> None:
    def take(address: str, minutes: float) -> bool:
        return take_report_slot(places_db, secret=SECRET, address=address, limit=2,
                                now=NOW + dt.timedelta(minutes=minutes))

    assert [take("198.51.100.1", 0), take("198.51.100.1", 30), take("198.51.100.1", 59)] == [True, True, False]
    assert take("198.51.100.2", 59)  # another address counts on its own
    assert take("198.51.100.1", 61)  # the first report is more than an hour old
    assert not take("198.51.100.1", 62)  # the second (30 min) and the one just taken are within the hour
    with places_db.session() as session:
        keys = session.scalars(select(ReportSender.address_key)).all()
    assert len(keys) == 2 and not [key for key in keys if "198.51.100" in key]
    take("198.51.100.3", 200)  # rows idle for more than an hour are dropped
    with places_db.session() as session:
        assert len(session.scalars(select(ReportSender.address_key)).all()) == 1


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_two_apps_on_one_database_refuse_the_same_flood_in_thai(make_server) -> None:  # type: ignore[no-untyped-def]
    """Two web processes behind a load balancer: the reports filed through one count in the other."""
    from fastapi.testclient import TestClient

    from fangsiang.app import create_app

    server = make_server(fangsiang_report_per_hour=2)
    for _ in range(2):
        assert post_report(server, text="ไฟถนนดับค่ะ").status_code in (201, 202)
    form = {"text": "ไฟถนนดับค่ะ", "category": "street_lights", "consent": "yes", "lat": str(HOME[0]),
            "lon": str(HOME[1])}
    with TestClient(create_app(server.settings, run_worker=False), client=("127.0.0.1", 50000)) as other:
        refused = other.post("/report", data=form, headers={"accept": "application/json"})
        page = other.post("/report", data=form)
    assert refused.status_code == 429, refused.text
    assert refused.json()["detail"] == "ท่านส่งเรื่องบ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่อีกครั้งค่ะ"
    assert page.status_code == 429 and "บ่อยเกินไป" in page.text and "ไฟถนนดับค่ะ" in page.text  # the form again
    assert post_report(server, text="ไฟถนนดับค่ะ").status_code == 429  # and the first app counts the same reports
