"""Prometheus metrics for the webhooks."""
from prometheus_client import Counter

WEBHOOK_EVENTS = Counter("fangsiang_webhook_events_total", "Webhook events by channel and result",
                         ["channel", "result"])
WEBHOOK_REQUESTS = Counter("fangsiang_webhook_requests_total", "Webhook requests by channel and HTTP status",
                           ["channel", "status"])
