"""Revocation fails closed: a broken or missing access file applies removals only."""

from __future__ import annotations

from pathlib import Path

from toys.auth.credentials import (
    AccessFileError,
    Credentials,
    new_token,
    read_access_file,
    removals_only,
    token_hash,
)
from toys.config.watched_files import WatchedFiles

ADA, BOB, EVE = new_token(), new_token(), new_token()


def write(path: Path, *lines: str) -> None:
    path.write_text("".join(f"{line}\n" for line in lines))


def watched(path: Path) -> WatchedFiles[Credentials]:
    return WatchedFiles(
        [str(path)],
        lambda: read_access_file(str(path)),
        what="access file",
        errors=(OSError, AccessFileError),
        degrade=lambda current, _: (removals_only(str(path), current), "removals only"),
    )


def test_a_removal_in_a_file_with_a_typo_still_takes_effect(tmp_path: Path) -> None:
    access = tmp_path / "access"
    write(access, f"ada reader {token_hash(ADA)}", f"bob writer {token_hash(BOB)}")
    files = watched(access)
    write(access, f"ada reader {token_hash(ADA)}", "typo here")
    assert files.reload_if_changed()
    assert files.value.by_token(BOB) is None
    assert files.value.by_token(ADA) is not None
    assert files.degraded


def test_a_file_with_a_typo_adds_no_credential(tmp_path: Path) -> None:
    access = tmp_path / "access"
    write(access, f"ada reader {token_hash(ADA)}")
    files = watched(access)
    write(access, f"ada reader {token_hash(ADA)}", f"eve admin {token_hash(EVE)}", "oops")
    files.reload_if_changed()
    assert files.value.by_token(EVE) is None


def test_a_role_changed_in_a_broken_file_takes_the_credential_away(tmp_path: Path) -> None:
    access = tmp_path / "access"
    write(access, f"ada admin {token_hash(ADA)}")
    files = watched(access)
    write(access, f"ada reader {token_hash(ADA)}", "oops")
    files.reload_if_changed()
    assert files.value.by_token(ADA) is None


def test_a_deleted_file_revokes_every_credential(tmp_path: Path) -> None:
    access = tmp_path / "access"
    write(access, f"ada reader {token_hash(ADA)}")
    files = watched(access)
    access.unlink()
    assert files.reload_if_changed()
    assert len(files.value) == 0


def test_a_mended_file_is_read_whole_again(tmp_path: Path) -> None:
    access = tmp_path / "access"
    write(access, f"ada reader {token_hash(ADA)}")
    files = watched(access)
    access.unlink()
    files.reload_if_changed()
    write(access, f"ada reader {token_hash(ADA)}", f"bob writer {token_hash(BOB)}")
    assert files.reload_if_changed()
    assert files.value.by_token(BOB) is not None
    assert not files.degraded
