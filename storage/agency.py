"""The agency's own configuration file: units, service standards, holidays."""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

INTENTS = ("complaint", "suggestion", "question", "praise", "other")


@dataclass(frozen=True)
class UnitConfig:
    """A unit of the agency that handles cases."""

    code: str
    name: str
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceStandard:
    """Working days to first response and to resolution, for one intent."""

    respond_days: int
    resolve_days: int


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
    routing_threshold: float
    units: tuple[UnitConfig, ...]
    standards: dict[str, ServiceStandard]
    extra_holidays: tuple[dt.date, ...] = field(default=())
    reply_templates: tuple[ReplyTemplateConfig, ...] = field(default=())

    def unit(self, code: str) -> UnitConfig | None:
        """The unit with this code, if configured."""
        return next((u for u in self.units if u.code == code), None)

    def standard(self, intent: str) -> ServiceStandard:
        """The service standard for an intent (the complaint standard when none is set)."""
        return self.standards.get(intent) or self.standards["complaint"]


class AgencyConfigError(ValueError):
    """The agency config file is invalid."""


def parse_agency_config(data: dict) -> AgencyConfig:
    """Validate the parsed TOML and build the config."""
    try:
        agency = data["agency"]
        units = tuple(
            UnitConfig(code=str(u["code"]), name=str(u["name"]), topics=tuple(u.get("topics", ())))
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
        config = AgencyConfig(
            name=agency["name"],
            short_name=agency.get("short_name", agency["name"]),
            ticket_prefix=agency.get("ticket_prefix", "FS"),
            phone=agency.get("phone", ""),
            triage_unit=agency.get("triage_unit", "triage"),
            routing_threshold=float(agency.get("routing_threshold", 0.45)),
            units=units,
            standards=standards,
            extra_holidays=extra,
            reply_templates=templates,
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
    return config


@lru_cache
def load_agency_config(path: Path) -> AgencyConfig:
    """Read and validate the agency config file."""
    with open(path, "rb") as fh:
        return parse_agency_config(tomllib.load(fh))
