"""The LINE identity of a citizen who files the report form inside LINE (LIFF): the ID token the LIFF SDK gives the
page is checked with LINE Login's verify endpoint (POST /oauth2/v2.1/verify), never trusted as sent."""
from __future__ import annotations

from dataclasses import dataclass

import requests


class LiffError(ValueError):
    """The ID token is not valid (expired, forged, for another channel) or LINE could not be asked."""


@dataclass(frozen=True)
class LineIdentity:
    """Who LINE says the citizen is."""

    user_id: str  # the `sub` claim: the same LINE user id the Messaging API knows
    name: str | None


def channel_id(liff_id: str) -> str:
    """The LINE Login channel id of a LIFF app (its LIFF id is "<channel id>-<suffix>")."""
    return liff_id.split("-", 1)[0]


def verify_id_token(id_token: str, *, liff_id: str, api_base_url: str, timeout: float = 10.0) -> LineIdentity:
    """Ask LINE who the token belongs to; LiffError when it is not valid for this LIFF app's channel."""
    if not id_token or len(id_token) > 4096:
        raise LiffError("missing or oversized ID token")
    client_id = channel_id(liff_id)
    try:
        response = requests.post(f"{api_base_url.rstrip('/')}/oauth2/v2.1/verify",
                                  data={"id_token": id_token, "client_id": client_id}, timeout=timeout)
    except requests.RequestException as exc:
        raise LiffError(f"LINE verify endpoint unreachable: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise LiffError(f"LINE refused the ID token ({response.status_code})")
    try:
        claims = response.json()
    except ValueError as exc:
        raise LiffError("LINE answered badly") from exc
    subject = str(claims.get("sub") or "")
    if not subject.startswith("U") or str(claims.get("aud")) != client_id:
        raise LiffError("the ID token is for another channel or has no user")
    return LineIdentity(user_id=subject, name=str(claims["name"])[:200] if claims.get("name") else None)
