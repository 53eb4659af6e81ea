"""The application core: the use cases (service), the store port and page tokens — what every
adapter calls, and nothing about any wire."""
