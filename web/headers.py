"""Security headers on every response: no framing, no MIME sniffing, a content security policy for the pages, and
`Cache-Control: no-store` on everything but static assets (case pages, API case responses and exports hold citizens'
personal data: no browser or proxy cache keeps a copy after sign-out)."""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages use only their own scripts, styles and images (charts are inline SVG); nothing from a CDN.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CACHEABLE_PREFIXES = ("/static/", "/api/docs/assets/")  # the app's own CSS, scripts and images: no personal data
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def safe_link(url: object) -> str | None:
    """A link officers may click: only http(s) URLs (never javascript:, data: or anything else)."""
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    return stripped if stripped.lower().startswith(("https://", "http://")) else None
