"""Prometheus metrics for the webhooks, the worker and the outbox."""
from prometheus_client import Counter, Histogram

WEBHOOK_EVENTS = Counter("fangsiang_webhook_events_total", "Webhook events by channel and result",
                         ["channel", "result"])
WEBHOOK_REQUESTS = Counter("fangsiang_webhook_requests_total", "Webhook requests by channel and HTTP status",
                           ["channel", "status"])
MESSAGES_PROCESSED = Counter("fangsiang_messages_processed_total", "Citizen messages processed by outcome",
                             ["outcome"])
PROCESSING_SECONDS = Histogram("fangsiang_message_processing_seconds", "Time to process one citizen message")
OUTBOX_SENDS = Counter("fangsiang_outbox_sends_total", "Outbox send attempts by channel and result",
                       ["channel", "result"])
