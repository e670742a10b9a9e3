"""Out to LINE: the Messaging API through line-bot-sdk v3 (reply token first, then push with X-Line-Retry-Key)."""
from __future__ import annotations

import logging
import uuid
from typing import Any

import urllib3

from bot.senders import OutgoingMessage, SendError

log = logging.getLogger(__name__)

RETRY_KEY_NAMESPACE = uuid.UUID("6f0f4a52-7d0e-4c3e-9a55-2f1d3b9e0c11")


def retry_key(message: OutgoingMessage) -> str:
    """LINE's X-Line-Retry-Key for the message: the same for every attempt at the same outbox message."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, message.idempotency_key))


class LineSender:
    """LINE Messaging API through line-bot-sdk v3: the reply token first, push when it is used up or expired."""

    def __init__(self, *, access_token: str, base_url: str = "https://api.line.me", timeout: float = 10.0) -> None:
        line = _line_sdk()
        configuration = line.Configuration(host=base_url.rstrip("/"), access_token=access_token)
        self._api = line.MessagingApi(line.ApiClient(configuration))
        self._timeout = timeout

    def send(self, message: OutgoingMessage) -> None:
        """Reply with the token when there is one; on an invalid or expired token, push instead."""
        line = _line_sdk()
        messages = _line_messages(message)
        if message.reply_token:
            try:
                self._api.reply_message(
                    line.ReplyMessageRequest(reply_token=message.reply_token, messages=messages),
                    _request_timeout=self._timeout,
                )
                return
            except line.ApiException as exc:
                if exc.status != 400:
                    raise _line_error(exc) from exc
                log.info("LINE reply token not usable (%s); pushing instead", exc.status)
            except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
                raise SendError(f"LINE unreachable: {type(exc).__name__}", permanent=False) from exc
        try:
            self._api.push_message(
                line.PushMessageRequest(to=message.recipient, messages=messages),
                x_line_retry_key=retry_key(message),
                _request_timeout=self._timeout,
            )
        except line.ApiException as exc:
            if exc.status == 409:
                return  # LINE already accepted a push with this retry key: it was sent
            raise _line_error(exc) from exc
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
            raise SendError(f"LINE unreachable: {type(exc).__name__}", permanent=False) from exc


def _line_sdk() -> Any:
    """line-bot-sdk's messaging module, imported when a LINE sender is first needed (its import takes seconds)."""
    from linebot.v3 import messaging

    return messaging


def _line_messages(message: OutgoingMessage) -> list[Any]:
    """The rendered LINE messages (Flex, quick replies) when the outbox carries them, else the text message."""
    rendered = message.extra.get("messages") or ()
    try:
        built = [_line_sdk().Message.from_dict(item) for item in rendered[:5]]
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("rendered LINE message unusable (%s): sending the text fallback", type(exc).__name__)
        built = []
    return [m for m in built if m is not None] or [_line_text(message)]


def _line_text(message: OutgoingMessage) -> Any:
    """A plain LINE text message (the fallback when no rendered messages are carried)."""
    return _line_sdk().TextMessage(text=message.text[:5000])


def _line_error(exc: Any) -> SendError:
    """Map a LINE API error: 5xx and 429 are worth retrying; 4xx (blocked, bad request) are not."""
    status = exc.status or 0
    return SendError(f"LINE API {status}: {str(exc.body)[:300]}", permanent=400 <= status < 500 and status != 429)
