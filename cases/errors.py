"""The case domain's refusal, shared by its service and the request dependencies that turn it into a 422."""
from __future__ import annotations


class CaseError(ValueError):
    """An officer's action cannot be done; the message is Thai and shown to them as is."""
