"""Watching toys: the server's feed of committed changes, the resume tokens, and one watch's
events (snapshot, then changes, filtered). Nothing here knows about gRPC."""
