"""Per-call concerns that sit beside the handlers, as grpclib.events listeners.

Each listener module installs itself with `install(server, ...)` and may be installed in any
order: they share nothing but the call context (toys.calls.context), which the first listener
to ask for it creates.
"""
