"""The gRPC adapter: the servicer and the WatchToys handler, translation between messages and
the domain, responses encoded once per revision, the strict codec, the one status table,
reflection and health. It only translates; the use cases are in toys.core."""
