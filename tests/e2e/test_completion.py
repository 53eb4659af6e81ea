"""Shell completion, loaded into the real shells: bash, zsh and fish each complete toyctl."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ServerProcess, require_tool

TOYCTL = str(Path(sys.executable).parent / "toyctl")

# Each shell loads the script toyctl prints, asks it to complete `toyctl up`, prints what it got.
_ASK = {
    "bash": "source {script}; COMP_WORDS=(toyctl up); COMP_CWORD=1; _toyctl_completion toyctl; "
    'printf "%s\\n" "${{COMPREPLY[@]}}"',
    # zsh hands the candidates to _arguments: print what it would have offered.
    "zsh": "autoload -Uz compinit; compinit -u; source {script}; "
    '_arguments() {{ print -l -- "$@"; }}; words=(toyctl up); CURRENT=2; _toyctl_completion',
    "fish": 'source {script}; complete --do-complete "toyctl up"',
}
# The same for any words, as the shell has split the command line; the last is being typed.
_ASK_WORDS = {
    "bash": "source {script}; COMP_WORDS=({words}); COMP_CWORD={last}; "
    '_toyctl_completion toyctl; printf "%s\\n" "${{COMPREPLY[@]}}"',
    "zsh": "autoload -Uz compinit; compinit -u; source {script}; "
    '_arguments() {{ print -l -- "$@"; }}; words=({words}); CURRENT={count}; _toyctl_completion',
}


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(TOYCTL).parent}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_for_each_shell_completes_in_that_shell(shell: str, tmp_path: Path) -> None:
    binary = require_tool(shell)
    printed = subprocess.run(
        [TOYCTL, "--show-completion", shell], capture_output=True, text=True, check=True, timeout=30
    )
    script = tmp_path / f"toyctl.{shell}"
    script.write_text(printed.stdout)
    result = subprocess.run(
        [binary, "-c", _ASK[shell].format(script=script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "update-status" in result.stdout, (result.stdout, result.stderr)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_completion_writes_the_script_where_that_shell_looks(
    shell: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [TOYCTL, "--install-completion", shell],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**_env(), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    written = {
        "bash": tmp_path / ".bash_completions" / "toyctl.sh",
        "zsh": tmp_path / ".zfunc" / "_toyctl",
        "fish": tmp_path / ".config" / "fish" / "completions" / "toyctl.fish",
    }[shell]
    assert "_TOYCTL_COMPLETE" in written.read_text()
    assert str(written) in result.stdout


@pytest.mark.parametrize("asked", [["--show-completion", "sh"], ["--show-completion"]])
def test_an_unknown_or_missing_shell_is_a_usage_error(asked: list[str]) -> None:
    result = subprocess.run([TOYCTL, *asked], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "--show-completion" in result.stderr


def _complete_in(shell: str, words: list[str], tmp_path: Path) -> set[str]:
    """What `shell` offers once it has split a command line into `words`."""
    binary = require_tool(shell)
    printed = subprocess.run(
        [TOYCTL, "--show-completion", shell], capture_output=True, text=True, check=True, timeout=30
    )
    script = tmp_path / f"toyctl.{shell}"
    script.write_text(printed.stdout)
    asked = _ASK_WORDS[shell].format(
        script=script,
        words=" ".join(shlex.quote(word) for word in words),
        last=len(words) - 1,
        count=len(words),
    )
    result = subprocess.run(
        [binary, "-c", asked],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    if shell == "zsh":  # _arguments '*: :(("PENDING" "RUNNING" ...))'
        return set(re.findall(r'"([^"]*)"', result.stdout))
    return set(result.stdout.split())


@pytest.mark.parametrize("shell", ["bash", "zsh"])
@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (
            ["toyctl", "list", "--status", ""],
            {"PENDING", "RUNNING", "SUCCEEDED", "FAILED", "ERROR"},
        ),
        (["toyctl", "list", "-o", ""], {"table", "wide", "json", "yaml", "name"}),
        (["toyctl", "get", "x", "--for", "st"], {"status=PENDING", "status=SUCCEEDED"}),
    ],
)
def test_option_values_complete_to_their_choices(
    shell: str, words: list[str], offered: set[str], tmp_path: Path
) -> None:
    assert offered <= _complete_in(shell, words, tmp_path)


def test_bash_completes_a_status_after_the_equals_sign_it_split_at(tmp_path: Path) -> None:
    """bash splits `--for status=su` at '=' and replaces only `su`: it is offered the rest."""
    words = ["toyctl", "get", "x", "--for", "status", "=", "su"]
    assert _complete_in("bash", words, tmp_path) == {"succeeded"}


def test_bash_completes_an_id_after_a_server_with_a_port(tmp_path: Path) -> None:
    """`toyctl -s HOST:PORT get <TAB>`: bash splits the address at ':'; the ids still come."""
    server = ServerProcess(db=tmp_path / "toys.db").start()
    try:
        made = subprocess.run(
            [TOYCTL, "-s", server.address, "manufacture", "--name", "Car", "-o", "name"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        host, port = server.address.split(":")
        words = ["toyctl", "-s", host, ":", port, "get", ""]
        assert made in _complete_in("bash", words, tmp_path)
    finally:
        server.stop()
