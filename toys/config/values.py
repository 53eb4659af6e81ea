"""How the text of a flag or TOYS_* variable becomes a setting's value; each raises
argparse.ArgumentTypeError saying what is allowed."""

from __future__ import annotations

import argparse

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 65535")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 3600:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 3600 seconds")
    return value


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be more than 0 seconds")
    return value


def count(text: str) -> int:
    """A whole number, 1 or more."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number, 1 or more")
    return int(text)


def count_or_off(text: str) -> int:
    """A whole number; 0 turns the limit off."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (0: off)")
    return int(text)


def byte_count(text: str) -> int:
    """A size in bytes, from 1 KiB to 64 MiB; K and M suffixes mean KiB and MiB."""
    factor = {"K": 1024, "M": 1024 * 1024}.get(text.strip()[-1:].upper(), 1)
    digits = text.strip().rstrip("KkMm") if factor > 1 else text.strip()
    if not digits.isdigit() or not 1024 <= int(digits) * factor <= 64 * 1024 * 1024:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size from 1K to 64M bytes")
    return int(digits) * factor


def level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(LOG_LEVELS)}")
    return text.upper()


def log_format(text: str) -> str:
    if text.lower() not in ("text", "json"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of text, json")
    return text.lower()


def path(text: str) -> str:
    return text.strip()


def yes(text: str) -> bool:
    """1/true/yes, or 0/false/no (and empty)."""
    value = text.strip().lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of 1, 0, true, false, yes, no")
    return value in ("1", "true", "yes")
