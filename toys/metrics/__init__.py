"""Metrics: what the server counts and measures (server_metrics), the store timed
(timed_store), and the /metrics scrape (scrape). Prometheus' client keeps the one registry."""
