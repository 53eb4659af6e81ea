"""The API's messages, whatever wire carries them: translation to and from the domain, toys
encoded once per revision, the strict reading of request bytes, the answers of the use cases
as encoded messages, and the one table of statuses. The gRPC and HTTP adapters both build on
it; it knows neither."""
