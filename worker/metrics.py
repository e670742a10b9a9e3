"""Prometheus metrics for the worker and the outbox."""
from prometheus_client import Counter, Histogram

MESSAGES_PROCESSED = Counter("fangsiang_messages_processed_total", "Citizen messages processed by outcome",
                             ["outcome"])
PROCESSING_SECONDS = Histogram("fangsiang_message_processing_seconds", "Time to process one citizen message")
OUTBOX_SENDS = Counter("fangsiang_outbox_sends_total", "Outbox send attempts by channel and result",
                       ["channel", "result"])
