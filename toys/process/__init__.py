"""The process: the composition root and `toys-server` (server), a running server's life
(lifecycle), the one-shot admin commands, the health probe and logging set-up."""
