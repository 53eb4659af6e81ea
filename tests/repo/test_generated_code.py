"""The committed betterproto2 code is exactly what `poe proto` would generate now."""

from __future__ import annotations

from scripts.genproto import diff_generated


def test_generated_code_matches_the_proto() -> None:
    """Editing proto/ without running `poe proto` (or hand-editing the output) fails here."""
    assert diff_generated() == [], "toys/_generated is stale: run `poe proto` and commit"
