"""The HTTP adapter: Connect and JSON over HTTP/1.1, the Argo callback endpoint, probes,
metrics and the dashboard, translating to the same use cases as the gRPC adapter."""
