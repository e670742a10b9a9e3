"""Out to Facebook: the Send API (Messenger) and comment replies through facebook-sdk's GraphAPI."""
from __future__ import annotations

import json
from typing import Any

import facebook
import requests

from agency.vocabulary import Channel
from bot.senders import OutgoingMessage, SendError


class GraphUnavailable(requests.RequestException):
    """The Graph API answered 5xx or 429: worth retrying later."""


class _BaseUrlSession(requests.Session):
    """A requests session that sends facebook-sdk's Graph API calls to a configured base URL.

    It also turns 5xx and 429 answers into GraphUnavailable, which facebook-sdk lets through untouched.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(facebook.FACEBOOK_GRAPH_URL):
            url = self._base_url + url[len(facebook.FACEBOOK_GRAPH_URL):]
        response = super().request(method, url, *args, **kwargs)
        if response.status_code >= 500 or response.status_code == 429:
            raise GraphUnavailable(f"Graph API answered {response.status_code}", response=response)
        return response


# Graph API error codes that mean "try again later" (rate limits, temporary outages).
_FACEBOOK_TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 368, 613}


class FacebookSender:
    """Facebook Send API and comment replies through facebook-sdk's GraphAPI, kept behind our interface."""

    def __init__(self, *, page_access_token: str, graph_url: str = "https://graph.facebook.com/",
                 timeout: float = 10.0) -> None:
        self._graph = facebook.GraphAPI(
            access_token=page_access_token, timeout=timeout, version="3.1", session=_BaseUrlSession(graph_url)
        )

    def send(self, message: OutgoingMessage) -> None:
        """Messenger → me/messages; a Page comment → a reply under that comment."""
        try:
            if message.channel == Channel.FACEBOOK_COMMENT:
                self._graph.put_object(parent_object=message.thread_ref or message.recipient,
                                       connection_name="comments", message=message.text[:8000])
                return
            for body in _messenger_bodies(message):
                post_args = {
                    "recipient": json.dumps({"id": message.recipient}),
                    "messaging_type": message.extra.get("messaging_type", "RESPONSE"),
                    "message": json.dumps(body, ensure_ascii=False),
                }
                if message.extra.get("tag"):
                    post_args["tag"] = message.extra["tag"]
                self._graph.request(f"{self._graph.version}/me/messages", post_args=post_args)
        except facebook.GraphAPIError as exc:
            code = getattr(exc, "code", None)
            raise SendError(f"Graph API error {code}: {str(exc)[:300]}",
                            permanent=code not in _FACEBOOK_TRANSIENT_CODES) from exc
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise SendError(f"Graph API unreachable or answered badly: {type(exc).__name__}", permanent=False) from exc


def _messenger_bodies(message: OutgoingMessage) -> list[dict[str, Any]]:
    """The rendered Send API messages (quick replies, generic templates) when carried, else the text message."""
    rendered = [m for m in message.extra.get("messages") or () if isinstance(m, dict)]
    if rendered:
        return rendered[:5]
    return [{"text": message.text[:2000]}]
