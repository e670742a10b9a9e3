"""How `fangsiang serve` runs the app under uvicorn: forwarded headers believed only from configured proxies, and
one line printed when the service is ready."""
from __future__ import annotations

import logging
import os
import threading
import time

import uvicorn
from fastapi import FastAPI

from agency.settings import Settings

log = logging.getLogger("fangsiang.serve")
GRACEFUL_SECONDS = 10  # requests in flight get this long to finish after SIGTERM
EXIT_GUARD_SECONDS = 30  # after SIGTERM the process ends within this, whatever is still running


def trusted_proxies(settings: Settings) -> list[str]:
    """The proxies named in FANGSIANG_TRUSTED_PROXIES (addresses or networks); none by default."""
    return [item.strip() for item in settings.fangsiang_trusted_proxies.split(",") if item.strip()]


def uvicorn_config(app: FastAPI, *, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """uvicorn's configuration: X-Forwarded-* rewrite the client address only when sent by a trusted proxy.

    uvicorn's own default believes them from 127.0.0.1, so anyone on the machine (or a proxy that passes the header
    through) could pick the address the per-IP sign-in limit counts.
    """
    proxies = trusted_proxies(settings)
    return uvicorn.Config(app, host=host, port=port, log_level=settings.fangsiang_log_level.lower(),
                          proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None,
                          timeout_graceful_shutdown=GRACEFUL_SECONDS)


def serve(app: FastAPI, *, settings: Settings, host: str, port: int) -> None:
    """Run the app until SIGTERM/SIGINT, printing one line once it listens and its worker is ready."""
    server = uvicorn.Server(uvicorn_config(app, settings=settings, host=host, port=port))
    watcher = threading.Thread(target=_announce_when_ready, args=(app, server, host, port), daemon=True,
                               name="fangsiang-ready-line")
    watcher.start()
    threading.Thread(target=_exit_guard, args=(app, server), daemon=True, name="fangsiang-exit-guard").start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down cleanly: nothing left to report
        log.info("stopped")


def _announce_when_ready(app: FastAPI, server: uvicorn.Server, host: str, port: int) -> None:
    """Print `Fang Siang is ready …` (stdout, once) when the server listens and the worker has its classifier."""
    started = time.monotonic()
    while not server.should_exit:
        worker = getattr(app.state, "worker", None)
        listening = server.started and hasattr(app.state, "runtime")
        if listening and (worker is None or worker.ready.is_set()):
            shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
            url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
            line = f"Fang Siang is ready: {url}/inbox (sign in at {url}/login) after {time.monotonic() - started:.1f} s"
            print(line, flush=True)  # once, on stdout (not also logged: a terminal would show it twice)
            return
        time.sleep(0.2)


def _exit_guard(app: FastAPI, server: uvicorn.Server) -> None:
    """Once SIGTERM/SIGINT asked the server to stop: the in-process worker takes no new message at once (it finishes
    the one in hand; it does not work the backlog on while requests in flight get their GRACEFUL_SECONDS, holding
    SQLite's write lock they may be waiting for), and the process ends after EXIT_GUARD_SECONDS even if something
    still runs (the database is the source of truth: a message not processed yet is swept again on the next start)."""
    while not server.should_exit:
        time.sleep(0.2)
    worker = getattr(app.state, "worker", None)
    if worker is not None:
        worker.halt()
    time.sleep(EXIT_GUARD_SECONDS)
    log.error("still running %d s after the stop signal; exiting now", EXIT_GUARD_SECONDS)
    logging.shutdown()
    os._exit(1)
