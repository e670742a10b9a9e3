"""The channel contract, run for every registered channel: its webhook refuses a wrong signature and turns a signed
event into our citizen message, its renderer keeps a neutral reply within the platform's limits, its sender repeats
the same request on a retry, its menu is valid. In-process: the webhook routes on a bare app, the platforms' stub."""
from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agency.config import load_agency_config
from agency.settings import Settings
from agency.vocabulary import Channel
from bot.postbacks import MenuChoice, PostbackSigner, StatusRequest, is_postback_data
from bot.replies import Card, Link, QuickReply, Reply
from bot.senders import OutgoingMessage
from channels import registry
from channels.adapter import ChannelAdapter
from channels.menu import MENU
from listeners.base import CitizenMessage
from listeners.views import webhook_router
from tests.support.stubs import PlatformStub

ADAPTERS = registry.adapters()
WITH_WEBHOOK = [a for a in ADAPTERS if a.inbound is not None and a.example is not None]
WITH_MENU = [a for a in ADAPTERS if a.menu is not None]
ANSWERED = [(a, channel) for a in ADAPTERS for channel in a.channels]
SIGNER = PostbackSigner(secret="contract-postback-secret-of-enough-length")
ROOT = Path(__file__).resolve().parents[2]
ROOMS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]["root_packages"]


def settings_for(tmp_path: Path, stub: PlatformStub) -> Settings:
    """Every channel configured, its platform played by the stub."""
    return Settings(_env_file=None, fangsiang_data_dir=tmp_path / "data", database_url=None, redis_url=None,
                    fangsiang_secret_key="contract-secret-key-" + "x" * 32,
                    line_channel_secret="contract-line-secret", line_channel_access_token="contract-line-token",
                    line_api_base_url=stub.url, facebook_app_secret="contract-facebook-secret",
                    facebook_verify_token="contract-verify-token", facebook_page_access_token="contract-page-token",
                    facebook_graph_url=stub.url + "/")


@pytest.fixture
def settings(tmp_path: Path, platform_stub: PlatformStub) -> Settings:
    return settings_for(tmp_path, platform_stub)


@pytest.fixture
def webhooks(settings: Settings) -> Iterator[tuple[TestClient, list[CitizenMessage]]]:
    """The registered channels' webhook routes on a bare app, storing into a list."""
    stored: list[CitizenMessage] = []

    async def store(messages: Sequence[CitizenMessage]) -> list[int]:
        stored.extend(messages)
        return list(range(len(stored) - len(messages), len(stored)))

    app = FastAPI()
    app.include_router(webhook_router(settings=settings, store=store,
                                      channels=[a.inbound(settings) for a in WITH_WEBHOOK]))
    with TestClient(app) as client:
        yield client, stored


def test_every_adapter_field_is_read_by_the_service() -> None:
    """No field of the adapter is there for the tests alone: the service's own code reads each one."""
    read: set[str] = set()
    field_read = re.compile(r"\b(?:adapter|ADAPTER|named\([^()]*\)|get\([^()]*\))\.(\w+)")
    for room in ROOMS:
        for path in (ROOT / room).rglob("*.py"):
            read |= set(field_read.findall(path.read_text("utf-8")))
    assert {field.name for field in dataclasses.fields(ChannelAdapter)} - read == set()


def test_every_channel_of_the_vocabulary_has_one_adapter() -> None:
    answered = [channel for adapter in ADAPTERS for channel in adapter.channels]
    assert sorted(answered) == sorted(Channel) and len({a.name for a in ADAPTERS}) == len(ADAPTERS)
    assert all(registry.get(channel).renderer(channel) is not None for channel in Channel)
    with pytest.raises(ValueError):
        registry.register(dataclasses.replace(ADAPTERS[0]))  # a name (and channels) taken once only


@pytest.mark.parametrize("adapter", WITH_WEBHOOK, ids=lambda a: a.name)
def test_the_webhook_refuses_a_wrong_signature(adapter: ChannelAdapter, settings: Settings, webhooks) -> None:
    client, stored = webhooks
    body, headers = adapter.example(settings=settings, user="contract-citizen", text="ถนนหน้าบ้านเป็นหลุมค่ะ")
    forged = client.post(f"/webhooks/{adapter.name}", content=body.replace("หลุม".encode(), "บ่อ".encode()),
                         headers=headers)
    unsigned = client.post(f"/webhooks/{adapter.name}", content=body,
                           headers={"content-type": "application/json"})
    assert forged.status_code == 401 and unsigned.status_code == 401 and "error" in forged.json()
    assert stored == []


@pytest.mark.parametrize("adapter", WITH_WEBHOOK, ids=lambda a: a.name)
def test_a_signed_event_becomes_our_citizen_message(adapter: ChannelAdapter, settings: Settings, webhooks) -> None:
    client, stored = webhooks
    text = "ไฟถนนหน้าโรงเรียนดับมาสามคืนแล้วครับ"
    body, headers = adapter.example(settings=settings, user="contract-citizen", text=text)
    response = client.post(f"/webhooks/{adapter.name}", content=body, headers=headers)
    assert response.status_code == 200 and response.json() == {"stored": 1, "duplicates": 0, "skipped": 0}
    [message] = stored
    assert message.channel in adapter.channels and message.kind == "text" and message.text == text
    assert message.external_user_id and message.event_key and message.sent_at.tzinfo is not None
    json.dumps(message.raw)  # the raw event is kept as sent, storable as JSON


@pytest.mark.parametrize("adapter", WITH_WEBHOOK, ids=lambda a: a.name)
def test_a_subscription_check_with_a_wrong_token_is_refused(adapter: ChannelAdapter, settings: Settings,
                                                           webhooks) -> None:
    client, _ = webhooks
    params = adapter.inbound(settings).handshake_params
    check = client.get(f"/webhooks/{adapter.name}", params={name: "guess" for name in params})
    assert check.status_code == (403 if params else 405) and "guess" not in check.text


def long_reply() -> Reply:
    """A neutral reply bigger than every platform takes: long text, many buttons, cards and links."""
    postback = SIGNER.sign(StatusRequest(case_id=123456))
    quick = tuple(QuickReply(label=f"ตัวเลือกที่ยาวมากเกินกว่าป้ายจะรับได้ {n}", data=postback) for n in range(15)) + (
        QuickReply(label="พิมพ์", kind="message", text="ข้อความ " * 200),
        QuickReply(label="ส่งตำแหน่ง", kind="location"), QuickReply(label="ถ่ายรูป", kind="camera"))
    cards = tuple(Card(heading="เรื่องที่ท่านแจ้ง " * 20, title=f"FS-2569-{n:06d}", status="กำลังดำเนินการ",
                       rows=(("หน่วยงาน", "กองช่าง " * 100), ("กำหนดเสร็จ", "15 ม.ค. 2570")), note="หมายเหตุ " * 300,
                       button=QuickReply(label="ดูรายละเอียดเรื่องนี้ทั้งหมด", data=postback)) for n in range(14))
    links = (Link(label="นโยบายความเป็นส่วนตัว", url="https://example.go.th/privacy"),
             Link(label="โทรหาเจ้าหน้าที่", url="tel:021234567"))
    return Reply(text="ขอบคุณที่แจ้งเรื่องค่ะ " * 500, quick_replies=quick, cards=cards, links=links)


def over_limits(value: Any, limits: dict[str, int], key: str = "") -> list[str]:
    """Every string longer, or list longer, than the platform allows under its key."""
    found: list[str] = []
    if key in limits and isinstance(value, str | list) and len(value) > limits[key]:
        found.append(f"{key}: {len(value)} > {limits[key]}")
    if isinstance(value, dict):
        for child_key, child in value.items():
            found += over_limits(child, limits, child_key)
    elif isinstance(value, list):
        for child in value:
            found += over_limits(child, limits, key)
    return found


@pytest.mark.parametrize(("adapter", "channel"), ANSWERED, ids=lambda v: getattr(v, "name", v))
def test_a_neutral_reply_is_rendered_within_the_platforms_limits(adapter: ChannelAdapter, channel: str) -> None:
    renderer = adapter.renderer(channel)
    reply = long_reply()
    rows = renderer.rows([reply])
    assert rows and rows[0][0].startswith(reply.text[:60])
    for text, objects in rows:
        json.dumps(objects)
        assert len(objects) <= renderer.max_objects
        assert over_limits(objects, dict(renderer.limits)) == []
        if not objects and renderer.text_limit is not None:
            assert len(text) <= renderer.text_limit
    together = renderer.rows([reply, Reply(text="สวัสดีค่ะ")])  # one turn's answers (a notice, then the answer)
    assert all(len(objects) <= renderer.max_objects and over_limits(objects, dict(renderer.limits)) == []
               for _, objects in together)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_a_retried_send_repeats_the_same_request(adapter: ChannelAdapter, settings: Settings,
                                                platform_stub: PlatformStub) -> None:
    """A retry is the same request, headers too (LINE's retry key): a platform that deduplicates drops it."""
    message = OutgoingMessage(channel=adapter.channels[0], recipient="U" + "1" * 32, text="ได้รับเรื่องแล้วค่ะ",
                              idempotency_key="answer:4242", extra={"messages": []})
    sender = adapter.sender(settings)
    assert sender is not None
    attempts = []
    for _ in range(2):  # the outbox's retry sends the same row again
        before = len(platform_stub.requests)
        sender.send(message)
        attempts.append([(r.method, r.path, r.body, dict(r.headers)) for r in platform_stub.requests[before:]])
    first, second = attempts
    assert first == second and (first or adapter.inbound is None), "a channel with a platform sends to it"


@pytest.mark.parametrize("adapter", WITH_MENU, ids=lambda a: a.name)
def test_the_menu_definition_is_valid(adapter: ChannelAdapter, settings: Settings) -> None:
    definition = adapter.menu(signer=SIGNER, agency=load_agency_config(settings.fangsiang_agency_config))
    strings: list[str] = []
    pending: list[Any] = [json.loads(json.dumps(definition, ensure_ascii=False))]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            strings.append(item)
    actions = [SIGNER.read(s).action for s in strings if is_postback_data(s)]  # forged or stale: raises
    assert actions and all(isinstance(action, MenuChoice) for action in actions)
    assert {entry.item for entry in MENU} <= {action.item for action in actions}
