"""Error answers for API clients that are safe for whatever the client sent (lone surrogates included)."""
from __future__ import annotations

import json
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped, so text echoed from a request can never fail to encode."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def validation_error(exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422 body ({"detail": [...]}) rendered so that a lone surrogate in the input is not a 500."""
    return AsciiJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
