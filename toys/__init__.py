"""toy-factory: the toys-server service package."""

from __future__ import annotations


def package_version() -> str:
    """The installed toy-factory version ("0+unknown" from a source tree not installed)."""
    from importlib.metadata import PackageNotFoundError, version  # only when asked: start-up

    try:
        return version("toy-factory")
    except PackageNotFoundError:
        return "0+unknown"
