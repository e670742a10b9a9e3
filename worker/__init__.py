"""The worker process: consume citizen events, sweep, escalate, dispatch the outbox. No web stack here."""
