"""The rooms' periodic jobs the worker runs (message vectors, spikes, rollups, retention, report facts): listed once,
for every worker."""
from __future__ import annotations

from worker.loop import PeriodicJob


def worker_jobs() -> list[PeriodicJob]:
    """Every room's periodic job, in the order they were added."""
    from conversation.media import fetch_pending
    from conversation.surveys import ask_surveys
    from conversation.vectors import fill_vectors
    from analytics.alerts import spike_job
    from analytics.rollups import rollup_job
    from fangsiang.citizen_rights import retention_job
    from places.service import relay_merged
    from reports.facts import facts_job

    return [
        PeriodicJob(name="media", every_seconds=1.0, run=fetch_pending),  # citizens' photos, fetched and retried
        PeriodicJob(name="surveys", every_seconds=2.0, run=ask_surveys),  # satisfaction survey on resolution
        # the sentence vectors of messages answered without one, in the CPU time answering citizens leaves
        PeriodicJob(name="message-vectors", every_seconds=1.0, run=fill_vectors, nice=10),
        PeriodicJob(name="analytics-rollups", every_seconds=45.0, run=rollup_job),  # days touched since the watermark
        # daily counts: hourly is plenty, and once at start so alerts never wait an hour after a restart
        PeriodicJob(name="analytics-spikes", every_seconds=3600.0, run=spike_job, at_start=True),
        PeriodicJob(name="retention", every_seconds=3600.0, run=retention_job),  # PDPA: closed cases' raw texts
        PeriodicJob(name="merged-cases", every_seconds=2.0, run=relay_merged),  # same problem: target's updates
        # the PMQA report's per-case facts follow changed cases, so a report build finds little left to do
        PeriodicJob(name="report-facts", every_seconds=60.0, run=facts_job, at_start=True),
    ]
