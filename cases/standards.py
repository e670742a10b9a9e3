"""Service standards per unit and kind of matter: acknowledgement and resolution targets in working days, in stages."""
from __future__ import annotations

from dataclasses import dataclass

from agency.config import AgencyConfig
from agency.vocabulary import CASE_INTENTS, INTENT_NAMES, Intent


@dataclass(frozen=True)
class Standard:
    """The standard that applies to one case: the unit's own for its kind of matter, else the agency's per intent."""

    unit: str | None
    intent: str
    matter: str
    respond_days: int
    resolve_days: int
    stages: tuple[int, ...] = ()


def standard_for(agency: AgencyConfig, *, unit: str | None, intent: str, priority: str = "normal") -> Standard:
    """The standard for a unit and intent: the unit's published one when set, else the agency-wide one.

    An urgent matter (danger to people now) gets the agency's shorter `urgent` standard where that is shorter.
    """
    usual = _usual_standard(agency, unit=unit, intent=intent)
    urgent = agency.standards.get("urgent") if priority == "urgent" else None
    if urgent is None:
        return usual
    return Standard(unit=usual.unit, intent=intent, matter=f"{usual.matter} (เร่งด่วน)",
                    respond_days=min(usual.respond_days, urgent.respond_days),
                    resolve_days=min(usual.resolve_days, urgent.resolve_days))


def _usual_standard(agency: AgencyConfig, *, unit: str | None, intent: str) -> Standard:
    """The unit's published standard for this intent, else the agency-wide one."""
    own = next((s for s in agency.unit_standards if s.unit == unit and s.intent == intent), None)
    if own is not None:
        return Standard(unit=own.unit, intent=intent, matter=own.matter, respond_days=own.acknowledge_days,
                        resolve_days=own.resolve_days, stages=own.stages)
    general = agency.standard(intent)
    return Standard(unit=None, intent=intent, matter=INTENT_NAMES.get(intent, intent),
                    respond_days=general.respond_days, resolve_days=general.resolve_days)


def published_standards(agency: AgencyConfig) -> list[Standard]:
    """What the agency publishes: each unit's own standards, then the agency-wide one per kind of matter."""
    units = [u.code for u in agency.units]
    own = sorted(agency.unit_standards, key=lambda s: (units.index(s.unit), CASE_INTENTS.index(s.intent)
                                                        if s.intent in CASE_INTENTS else len(CASE_INTENTS)))
    urgent = agency.standards.get("urgent")
    return [*(standard_for(agency, unit=s.unit, intent=s.intent) for s in own),
            *(standard_for(agency, unit=None, intent=i) for i in CASE_INTENTS),
            *([Standard(unit=None, intent=Intent.COMPLAINT, matter="เรื่องเร่งด่วนที่เป็นอันตรายต่อชีวิตหรือทรัพย์สิน",
                        respond_days=urgent.respond_days, resolve_days=urgent.resolve_days)] if urgent else [])]
