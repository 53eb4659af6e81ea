"""How large, long or far off a value may be: the bounds every rule and check uses."""

from __future__ import annotations

from datetime import timedelta

INT32_MAX = 2**31 - 1

# Field limits. Kubernetes bounds names at 253 and namespaces at 63 characters; ours are
# generous enough for any real value and small enough to keep a row and a log line bounded.
MAX_ID_LENGTH = 64
MAX_TOY_TEXT = 200
MAX_RUN_NAME = 253
MAX_NAMESPACE = 63
MAX_UID = 128
MAX_MESSAGE = 4096
MAX_FAILURES = 100
MAX_REMEMBERED_CALLBACKS = 100
# Longer than any real manufacturing run: a run that claims more is refused as implausible.
MAX_RUN_DURATION = timedelta(days=366)
# How far ahead of this server's clock a reported time may be before it is refused.
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
