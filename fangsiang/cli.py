"""The `fangsiang` command: serve, worker, train, classify, evaluate, users, citizens, simulate, db, and the rooms'
own commands (import, demo-data, line, facebook)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agency.settings import Settings, get_settings
from classifier.threads import limit_threads
from channels import registry as _channels  # light modules: heavy imports inside their handlers
from history import commands as _history_commands

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from runtime import Runtime

# Each room's and each channel's `register(commands)`.
ROOM_COMMANDS: tuple = (_history_commands.register,
                         *(adapter.commands for adapter in _channels.adapters() if adapter.commands))


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = _parser()
    args = parser.parse_args(argv)
    settings = get_settings()
    limit_threads(settings.fangsiang_threads)  # before any command loads a native library
    logging.basicConfig(level=settings.fangsiang_log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per HTTP call (LINE/Graph API, simulate)
    if args.run is not _db_upgrade:  # migrations run at every start: say so only when asked to run them
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return int(args.run(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fangsiang", description="Fang Siang ฟังเสียง: listen to citizens on LINE and Facebook.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web app (and, by default, an in-process worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the worker in this process")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="process the queue and the outbox (share the work with other workers)")
    worker.add_argument("--name", help="consumer name in the Redis group (default: host-pid)")
    worker.set_defaults(run=_worker)

    train = commands.add_parser("train", help="build the classifier's models from bundled data")
    train.add_argument("--router-csv", type=Path, help="train the unit router from the agency's own CSV export")
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="unit")
    train.add_argument("--no-corrections", action="store_true", help="leave out officers' corrections")
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(run=_train)

    classify = commands.add_parser("classify", help="classify one message per stdin line, print JSON lines")
    classify.set_defaults(run=_classify)

    evaluate = commands.add_parser("evaluate", help="accuracy, macro-F1 and confusion matrices on held-out data")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--router-csv", type=Path,
                          help="instead: the unit router on the agency's labelled CSV (top-1/top-3, coverage–precision)")
    evaluate.add_argument("--text-column", default="text")
    evaluate.add_argument("--label-column", default="unit")
    evaluate.add_argument("--trained", action="store_true",
                          help="with --router-csv: score the trained model's router on the CSV as held-out data "
                               "(default: cross-validate a router trained on the CSV itself)")
    evaluate.set_defaults(run=_evaluate)

    users = commands.add_parser("users", help="manage accounts").add_subparsers(required=True, metavar="ACTION")
    add = users.add_parser("add", help="add an account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=("admin", "officer", "analyst"))
    add.add_argument("--unit", help="the unit's code or its Thai name (required for officers)")
    add.add_argument("--name", help="display name")
    add.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    add.set_defaults(run=_users_add)
    password = users.add_parser("password", help="set an account's password (ends all its sessions)")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true", required=True, help="read the password from stdin")
    password.set_defaults(run=_users_password)

    citizens = commands.add_parser("citizens", help="citizens' PDPA rights").add_subparsers(required=True,
                                                                                          metavar="ACTION")
    erase = citizens.add_parser("erase", help="erase a citizen's personal data (texts masked, counts kept)")
    erase.add_argument("--channel", required=True, help="line, facebook, facebook_comment or an off-line channel code")
    erase.add_argument("--user", required=True, help="the citizen's id on that channel (LINE userId, Facebook id)")
    erase.set_defaults(run=_citizens_erase)

    simulate = commands.add_parser("simulate", help="play a citizen: sign and post a realistic webhook event")
    simulate.add_argument("channel", choices=("line", "facebook"))
    simulate.add_argument("text", nargs="?", default="", help="what the citizen types (leave out with --press)")
    simulate.add_argument("--press", type=int, metavar="N", help="press button N of the replies shown last")
    simulate.add_argument("--user", default="demo-citizen", help="the citizen's id on the channel")
    simulate.add_argument("--comment", action="store_true", help="facebook: a comment on the Page instead of Messenger")
    simulate.add_argument("--url", default=None, help="server base URL (default FANGSIANG_BASE_URL)")
    simulate.add_argument("--wait", type=float, default=20.0, help="seconds to wait for the reply (0: do not wait)")
    simulate.set_defaults(run=_simulate)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(required=True, metavar="ACTION")
    upgrade = db.add_parser("upgrade", help="apply migrations")
    upgrade.set_defaults(run=_db_upgrade)

    # Rooms add their own commands: each `register(commands)` adds subparsers whose `run(args, settings)` is called;
    # the composition root hands its runtime builder down as `args.build_runtime` (no room imports this package).
    for register in ROOM_COMMANDS:
        register(commands)
    parser.set_defaults(build_runtime=_build_runtime)
    return parser


def _build_runtime(settings: Settings, **options: object) -> "Runtime":
    """The composition root's runtime builder, handed to rooms' commands (imported only when a command needs it)."""
    from fangsiang.runtime import build_runtime

    return build_runtime(settings, **options)  # type: ignore[arg-type]


def _begin_training(settings: Settings) -> None:
    """A first start (no model yet): the classifier's training process starts now, before the app and the worker
    are imported and the database migrated (seconds on one core; training uses the other), and the worker follows
    it once it runs. An unreadable agency config is left to the service's own start, which reports it."""
    from agency.config import load_agency_config
    from classifier.apart import begin_training

    try:
        agency = load_agency_config(settings.fangsiang_agency_config)
    except (OSError, ValueError):  # missing, not TOML, invalid (AgencyConfigError): reported by build_runtime
        return
    begin_training(settings.model_dir, triage_unit=agency.triage_unit)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    if settings.fangsiang_in_process_worker and not args.no_worker:
        _begin_training(settings)
    from fangsiang.app import create_app
    from fangsiang.serving import serve

    app = create_app(settings, run_worker=False if args.no_worker else None)
    serve(app, settings=settings, host=args.host, port=args.port)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    _begin_training(settings)
    from fangsiang.jobs import worker_jobs
    from fangsiang.runtime import build_runtime
    from worker.loop import Worker

    runtime = build_runtime(settings, consumer=args.name, serving=True)
    try:
        Worker(runtime, jobs=worker_jobs()).run_forever()
    finally:
        runtime.close()
    return 0


def _train(args: argparse.Namespace, settings: Settings) -> int:
    from agency.config import load_agency_config
    from classifier.training import train

    extra = [] if args.no_corrections else _corrections(settings)
    agency = load_agency_config(settings.fangsiang_agency_config)
    report = train(settings.model_dir, extra_examples=extra, router_csv=args.router_csv,
                   text_column=args.text_column, label_column=args.label_column, seed=args.seed,
                   triage_unit=agency.triage_unit)
    print(json.dumps({"model_dir": str(settings.model_dir), "corrections": len(extra), **report},
                     ensure_ascii=False, indent=2, default=str))
    return 0


def _corrections(settings: Settings) -> list[dict]:
    """Officers' corrections from the database, as training examples (none if there is no database yet)."""
    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError

    from storage.db import Database
    from storage.models import Correction

    db = Database(settings.sqlalchemy_url)
    try:
        with db.session() as session:
            rows = session.scalars(select(Correction).order_by(Correction.id)).all()
            return [{"text": r.text, "intent": r.intent, "unit": r.unit_code} for r in rows]
    except OperationalError:
        logging.getLogger(__name__).warning("no database to read corrections from; training without them")
        return []
    finally:
        db.dispose()


def _every_core_unless_set(settings: Settings) -> None:
    """A standalone batch command (`classify`, `evaluate`) runs alone: its e5 batches may use every core unless
    FANGSIANG_THREADS is set (the web app and the worker keep the setting's cap). The vectors are the same."""
    if "fangsiang_threads" not in settings.model_fields_set:
        limit_threads(os.cpu_count() or 1)


def _classify(args: argparse.Namespace, settings: Settings) -> int:
    from agency.config import load_agency_config
    from classifier.commands import classify_stream
    from runtime import agency_classifier

    _every_core_unless_set(settings)
    classify_stream(agency_classifier(settings, load_agency_config(settings.fangsiang_agency_config)),
                    sys.stdin, sys.stdout)
    return 0


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from agency.config import load_agency_config
    from classifier.evaluation import evaluate, evaluate_router_csv, format_report, format_router_report
    from runtime import agency_classifier

    _every_core_unless_set(settings)
    if args.router_csv:
        agency = load_agency_config(settings.fangsiang_agency_config)
        try:
            report = evaluate_router_csv(args.router_csv, text_column=args.text_column, label_column=args.label_column,
                                         target_precision=agency.routing_precision, triage_unit=agency.triage_unit,
                                         model_dir=settings.model_dir if args.trained else None)
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str) if args.json
              else format_router_report(report))
        return 0
    model = agency_classifier(settings, load_agency_config(settings.fangsiang_agency_config))
    report = evaluate(settings.model_dir, classifier=model)
    print(json.dumps(report, ensure_ascii=False, indent=2, default=str) if args.json else format_report(report))
    return 0


def _in_session(settings: Settings, action: Callable[["Session"], str], *, refused: tuple[type[Exception], ...]) -> int:
    """Run one command's work in a database session: print what it reports, or why it was refused (exit 2)."""
    from fangsiang.database import open_database

    db = open_database(settings)
    try:
        with db.session() as session:
            print(action(session))
    except refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.service import AccountError, create_user, find_unit_code

    password = sys.stdin.readline().rstrip("\r\n")

    def add(session: "Session") -> str:
        unit_code = find_unit_code(session, unit=args.unit) if args.unit else None
        user = create_user(session, email=args.email, password=password, role=args.role, unit_code=unit_code,
                           display_name=args.name, actor="cli")
        return f"added {user.email} ({user.role}{', ' + user.unit_code if user.unit_code else ''})"

    return _in_session(settings, add, refused=(AccountError,))


def _users_password(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from accounts.service import AccountError, set_password
    from storage.models import User

    password = sys.stdin.readline().rstrip("\r\n")

    def change(session: "Session") -> str:
        user = session.scalars(select(User).where(User.email == args.email.strip().lower())).first()
        if user is None:
            raise AccountError(f"no account {args.email}", thai="ไม่พบบัญชีนี้")
        set_password(session, user=user, password=password, actor="cli")
        return f"password changed for {user.email}; every session of the account has ended"

    return _in_session(settings, change, refused=(AccountError,))


def _citizens_erase(args: argparse.Namespace, settings: Settings) -> int:
    from fangsiang.citizen_rights import CitizenNotFound, erase_and_scrub
    from fangsiang.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        counts = erase_and_scrub(runtime, channel=args.channel, user_id=args.user, actor="cli")
    except CitizenNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        runtime.close()
    print(json.dumps({"erased": True, **counts}, ensure_ascii=False))
    return 0


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from fangsiang.database import open_database

    open_database(settings).dispose()
    print("database is up to date")
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    import httpx

    from listeners import simulator

    base = (args.url or settings.fangsiang_base_url).rstrip("/")
    now_ms = int(time.time() * 1000)
    recipient = simulator.line_user_id(args.user) if args.channel == "line" else args.user
    buttons_file = settings.data_dir / "simulate-buttons.json"
    pressed: dict | None = None
    if args.press is not None:
        shown = json.loads(buttons_file.read_text(encoding="utf-8")).get(recipient, []) if buttons_file.exists() else []
        if not 1 <= args.press <= len(shown):
            print(f"no button {args.press}: the last replies showed {len(shown)} button(s)", file=sys.stderr)
            return 2
        pressed = shown[args.press - 1]
        print(f"กดปุ่ม [{args.press}] {pressed['label']}")
    elif not args.text:
        print("say something (text) or press a button (--press N)", file=sys.stderr)
        return 2
    example = _channels.named(args.channel).example if pressed is None and not args.comment else None
    if example is not None:  # a citizen writing: the channel's own signed request
        body, headers = example(settings=settings, user=args.user, text=args.text)
        url = f"{base}/webhooks/{args.channel}"
    elif args.channel == "line":
        if pressed is not None and pressed["kind"] == "postback":
            event = simulator.line_event(user_id=recipient, timestamp_ms=now_ms, event_type="postback",
                                         postback={"data": pressed["data"]})
        else:
            event = simulator.line_event(user_id=recipient, text=pressed["data"], timestamp_ms=now_ms)
        body = simulator.encode(simulator.line_body(event))
        url = f"{base}/webhooks/line"
        headers = {"x-line-signature": simulator.line_signature(body, settings.line_signing_secret)}
    else:
        if pressed is not None:
            payload = simulator.facebook_message_event(page_id=simulator.SIMULATED_PAGE_ID, user_id=recipient,
                                                       text=pressed["label"], timestamp_ms=now_ms)
            payload["entry"][0]["messaging"][0]["message"]["quick_reply"] = {"payload": pressed["data"]}
        else:
            build = simulator.facebook_comment_event if args.comment else simulator.facebook_message_event
            payload = build(page_id=simulator.SIMULATED_PAGE_ID, user_id=recipient, text=args.text, timestamp_ms=now_ms)
        body = simulator.encode(payload)
        url = f"{base}/webhooks/facebook"
        headers = {"x-hub-signature-256": simulator.facebook_signature(body, settings.facebook_signing_secret)}
    headers["content-type"] = "application/json"
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        print(f"could not reach {url}: {exc}", file=sys.stderr)
        return 1
    print(f"POST {url} → {response.status_code} {response.text}")
    if response.status_code != 200:
        return 1
    if args.wait > 0:
        return _print_replies(settings.data_dir / "transcript.jsonl", buttons_file, recipient=recipient,
                              since=now_ms / 1000, wait=args.wait)
    return 0


def _buttons(rendered: list[dict]) -> list[dict]:
    """The buttons a citizen sees under LINE or Messenger messages: label, kind (postback | text) and data."""
    found = []
    for message in rendered:
        for item in (message.get("quickReply") or {}).get("items", []):  # LINE quick replies
            action = item.get("action", {})
            if action.get("type") == "postback":
                found.append({"label": action.get("label", ""), "kind": "postback", "data": action.get("data", "")})
            elif action.get("type") == "message":
                found.append({"label": action.get("label", ""), "kind": "text", "data": action.get("text", "")})
        for item in message.get("quick_replies") or ():  # Messenger quick replies
            found.append({"label": item.get("title", ""), "kind": "postback", "data": item.get("payload", "")})
    return found


def _print_replies(transcript: Path, buttons_file: Path, *, recipient: str, since: float, wait: float,
                   quiet: float = 3.0) -> int:
    """Show every message the service sent back (from the transcript of a server without channel credentials), its
    buttons numbered for `--press N`; waits until nothing more arrives for a few seconds."""
    import datetime as dt

    deadline, seen, last_new = time.time() + wait, 0, None
    records: list[dict] = []
    while time.time() < deadline and (last_new is None or time.time() - last_new < quiet):
        if transcript.exists():
            records = [r for r in (json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines())
                       if r["recipient"] == recipient and dt.datetime.fromisoformat(r["at"]).timestamp() >= since - 1]
        if len(records) > seen:
            seen, last_new = len(records), time.time()
        time.sleep(0.5)
    if not records:
        print("\n(no reply in the transcript yet: the first start trains the classifier, which takes a minute or two;"
              " with real LINE/Facebook credentials replies go to the app instead)")
        return 0
    buttons: list[dict] = []
    for record in records:
        print(f"\nตอบกลับทาง {record['channel']}:\n{record['text']}")
        for button in _buttons(record.get("messages") or []):
            buttons.append(button)
            print(f"  [{len(buttons)}] {button['label']}")
    saved = json.loads(buttons_file.read_text(encoding="utf-8")) if buttons_file.exists() else {}
    saved[recipient] = buttons
    buttons_file.parent.mkdir(parents=True, exist_ok=True)
    buttons_file.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    if buttons:
        print("\n(กดปุ่มด้วย: fangsiang simulate <channel> --press N)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
