"""The agency's own configuration file: units, service standards, holidays, canned replies, off-line channels,
citizen groups and complaint categories."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class UnitConfig:
    """A unit of the agency that handles cases."""

    code: str
    name: str
    topics: tuple[str, ...] = ()
    alert_line_to: str = ""  # a LINE group or user id that gets the unit's urgent alerts ("": the inbox alert only)


@dataclass(frozen=True)
class ServiceStandard:
    """Working days to first response and to resolution, for one intent."""

    respond_days: int
    resolve_days: int


@dataclass(frozen=True)
class OfflineChannel:
    """A channel an officer records by hand (walk-in, phone, letter…), with its Thai name."""

    code: str
    name: str


@dataclass(frozen=True)
class ComplaintCategory:
    """A kind of complaint the agency reports on (ถนนและทางเท้า, ขยะ…): a complaint whose text or topics contain
    one of the keywords belongs to the first category that matches."""

    code: str
    name: str
    keywords: tuple[str, ...]

    def matches(self, text: str) -> bool:
        """True when the text names one of the keywords."""
        return any(keyword in text for keyword in self.keywords)


@dataclass(frozen=True)
class SafetyAdvice:
    """What to tell a citizen who reports an urgent danger of this kind (no keywords: any urgent danger)."""

    advice: str
    keywords: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """True when the text names one of the keywords."""
        return any(keyword in text for keyword in self.keywords)


@dataclass(frozen=True)
class UnitStandard:
    """A published service standard for one unit and kind of matter: working days, optionally in two stages."""

    unit: str
    intent: str
    matter: str
    acknowledge_days: int
    resolve_days: int
    stages: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReplyTemplateConfig:
    """A canned reply shipped with the config."""

    title: str
    text: str
    unit: str | None = None


@dataclass(frozen=True)
class AgencyConfig:
    """Everything in the agency's config file."""

    name: str
    short_name: str
    ticket_prefix: str
    phone: str
    triage_unit: str
    routing_threshold: float | None  # None: calibrated to routing_precision
    routing_precision: float
    units: tuple[UnitConfig, ...]
    standards: dict[str, ServiceStandard]
    extra_holidays: tuple[dt.date, ...] = field(default=())
    reply_templates: tuple[ReplyTemplateConfig, ...] = field(default=())
    offline_channels: tuple[OfflineChannel, ...] = field(default=())
    citizen_groups: tuple[str, ...] = field(default=())
    unit_standards: tuple[UnitStandard, ...] = field(default=())
    privacy_policy_url: str = ""  # the PDPA notice sent once at first contact links here
    complaint_categories: tuple[ComplaintCategory, ...] = field(default=())
    safety_advice: tuple[SafetyAdvice, ...] = field(default=())

    def safety_advice_for(self, text: str) -> str:
        """Safety advice for an urgent matter: the first entry whose keywords the text names, else the general one
        (an entry with no keywords); "" when none is configured."""
        general = next((a.advice for a in self.safety_advice if not a.keywords), "")
        return next((a.advice for a in self.safety_advice if a.keywords and a.matches(text)), general)

    def complaint_category(self, text: str) -> str | None:
        """The code of the first complaint category whose keywords the text contains (None: none does)."""
        return next((c.code for c in self.complaint_categories if c.matches(text)), None)

    def unit(self, code: str) -> UnitConfig | None:
        """The unit with this code, if configured."""
        return next((u for u in self.units if u.code == code), None)

    def standard(self, intent: str) -> ServiceStandard:
        """The service standard for an intent (the complaint standard when none is set)."""
        return self.standards.get(intent) or self.standards["complaint"]


class AgencyConfigError(ValueError):
    """The agency config file is invalid."""


_LINE_ID = re.compile(r"[UCR][0-9a-f]{32}")


def _line_id(value: object, *, unit: str) -> str:
    """A unit's `alert_line_to`: empty, or a LINE user (U…), group (C…) or room (R…) id."""
    text = str(value or "").strip()
    if text and not _LINE_ID.fullmatch(text):
        raise AgencyConfigError(f"units.{unit}.alert_line_to must be a LINE user, group or room id (U…, C…, R… and "
                                f"32 hex digits), not {text[:40]!r}")
    return text


def parse_agency_config(data: dict) -> AgencyConfig:
    """Validate the parsed TOML and build the config."""
    try:
        agency = data["agency"]
        units = tuple(
            UnitConfig(code=str(u["code"]), name=str(u["name"]), topics=tuple(u.get("topics", ())),
                       alert_line_to=_line_id(u.get("alert_line_to", ""), unit=str(u["code"])))
            for u in data["units"]
        )
        standards = {
            intent: ServiceStandard(int(v["respond"]), int(v["resolve"]))
            for intent, v in data.get("service_standards", {}).items()
        }
        extra = tuple(dt.date.fromisoformat(d) for d in data.get("holidays", {}).get("extra", ()))
        templates = tuple(
            ReplyTemplateConfig(title=str(t["title"]), text=str(t["text"]), unit=t.get("unit"))
            for t in data.get("reply_templates", ())
        )
        offline = tuple(OfflineChannel(code=str(c["code"]), name=str(c["name"]))
                        for c in data.get("offline_channels", ()))
        groups = tuple(str(g) for g in data.get("citizen_groups", {}).get("names", ()))
        unit_standards = tuple(_unit_standard(s) for s in data.get("unit_standards", ()))
        categories = tuple(ComplaintCategory(code=str(c["code"]), name=str(c["name"]),
                                             keywords=tuple(str(k) for k in c["keywords"] if str(k).strip()))
                           for c in data.get("complaint_categories", ()))
        config = AgencyConfig(
            name=agency["name"],
            short_name=agency.get("short_name", agency["name"]),
            ticket_prefix=agency.get("ticket_prefix", "FS"),
            phone=agency.get("phone", ""),
            triage_unit=agency.get("triage_unit", "triage"),
            routing_threshold=float(agency["routing_threshold"]) if "routing_threshold" in agency else None,
            routing_precision=float(agency.get("routing_precision", 0.95)),
            units=units,
            standards=standards,
            extra_holidays=extra,
            reply_templates=templates,
            offline_channels=offline,
            citizen_groups=groups,
            unit_standards=unit_standards,
            privacy_policy_url=str(agency.get("privacy_policy_url", "")),
            complaint_categories=categories,
            safety_advice=tuple(SafetyAdvice(advice=str(a["advice"]), keywords=tuple(str(k) for k in a.get("keywords", ())))
                                for a in data.get("safety_advice", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AgencyConfigError(f"invalid agency config: {exc!r}") from exc
    if config.unit(config.triage_unit) is None:
        raise AgencyConfigError(f"triage unit {config.triage_unit!r} is not among the units")
    unknown = {t.unit for t in config.reply_templates if t.unit} - {u.code for u in units}
    if unknown:
        raise AgencyConfigError(f"reply templates name unknown units: {', '.join(sorted(unknown))}")
    if "complaint" not in standards:
        raise AgencyConfigError("service_standards must define complaint")
    unknown = {s.unit for s in config.unit_standards} - {u.code for u in units}
    if unknown:
        raise AgencyConfigError(f"unit_standards name unknown units: {', '.join(sorted(unknown))}")
    if len({c.code for c in config.offline_channels}) != len(config.offline_channels):
        raise AgencyConfigError("offline_channels repeat a code")
    if len({c.code for c in config.complaint_categories}) != len(config.complaint_categories):
        raise AgencyConfigError("complaint_categories repeat a code")
    if any(c.code == "other" for c in config.complaint_categories):
        raise AgencyConfigError("complaint category code 'other' is kept for complaints no category matches")
    if any(not c.keywords for c in config.complaint_categories):
        raise AgencyConfigError("every complaint category needs keywords")
    return config


def _unit_standard(entry: dict) -> UnitStandard:
    """One [[unit_standards]] entry; with `stages` the resolution target is the last stage."""
    stages = tuple(int(d) for d in entry.get("stages", ()))
    if stages and (len(stages) > 2 or list(stages) != sorted(stages)):
        raise ValueError(f"stages must be one or two increasing day counts: {stages}")
    resolve = int(entry["resolve"]) if "resolve" in entry else stages[-1]
    if stages and stages[-1] != resolve:
        raise ValueError(f"resolve {resolve} must equal the last stage {stages[-1]}")
    return UnitStandard(unit=str(entry["unit"]), intent=str(entry.get("intent", "complaint")),
                        matter=str(entry["matter"]), acknowledge_days=int(entry["acknowledge"]),
                        resolve_days=resolve, stages=stages)


@lru_cache
def load_agency_config(path: Path) -> AgencyConfig:
    """Read and validate the agency config file."""
    with open(path, "rb") as fh:
        return parse_agency_config(tomllib.load(fh))
