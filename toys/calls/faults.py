"""Which gRPC statuses mean the server failed rather than the caller."""

from __future__ import annotations

from grpclib.const import Status

# Logged as warnings and traced as errors. NOT_FOUND, INVALID_ARGUMENT and the like are the
# caller's business.
SERVER_FAULT_STATUSES = frozenset(
    {
        Status.UNKNOWN,
        Status.INTERNAL,
        Status.UNAVAILABLE,
        Status.DEADLINE_EXCEEDED,
        Status.DATA_LOSS,
        Status.UNIMPLEMENTED,
    }
)
