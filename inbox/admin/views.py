"""Admin pages: units, users, reply templates and the agency's holidays."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
