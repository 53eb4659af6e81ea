"""--show-completion SHELL and --install-completion SHELL, for bash, zsh and fish.

The scripts are Typer's: each calls toyctl back with _TOYCTL_COMPLETE set, and Typer answers
with the commands, options and (from the server) toy ids that fit. Typer's own options take no
shell name (they guess it from the parent process), so toyctl declares these two itself; the
script writer and installer live in Typer's private _completion_shared, which these two
functions are the only users of.
"""

from __future__ import annotations

import os

import typer

from toyctl.options import Shell

PROG_NAME = "toyctl"
COMPLETE_VARIABLE = "_TOYCTL_COMPLETE"


# Typer's bash function, but bash splits words at `:` and `=` (COMP_WORDBREAKS): `-s
# host:50051 get <TAB>` reached toyctl as `-s host : 50051 get`, which parses as nothing, and
# `--for status=<TAB>` as `status =`. This one joins such words again before asking toyctl,
# and offers bash only the part of each answer after the last `:` or `=`, which is all bash
# replaces. (What bash-completion's _get_comp_words_by_ref -n := and __ltrim_colon_completions
# do, without needing bash-completion.)
BASH_SCRIPT = r"""_toyctl_completion() {
    local IFS=$'\n'
    local -a words=() found=()
    local i cword=0 word
    for (( i = 0; i < ${#COMP_WORDS[@]}; i++ )); do
        word="${COMP_WORDS[i]}"
        if (( ${#words[@]} )) && [[ $word == [:=] || ${words[-1]} == *[:=] ]]; then
            words[-1]+="$word"
        else
            words+=("$word")
        fi
        (( i == COMP_CWORD )) && cword=$(( ${#words[@]} - 1 ))
    done
    found=( $( env COMP_WORDS="${words[*]}" \
                   COMP_CWORD=$cword \
                   %(complete_var)s=complete_bash $1 ) )
    local typed="${COMP_WORDS[COMP_CWORD]}"
    local before="${words[cword]%%"$typed"}"
    COMPREPLY=()
    for word in "${found[@]}"; do
        COMPREPLY+=("${word#"$before"}")
    done
    return 0
}

complete -o default -F _toyctl_completion %(prog)s
"""


def completion_script(shell: Shell) -> str:
    if shell is Shell.BASH:
        return BASH_SCRIPT % {"complete_var": COMPLETE_VARIABLE, "prog": PROG_NAME}
    from typer._completion_shared import get_completion_script

    return get_completion_script(
        prog_name=PROG_NAME, complete_var=COMPLETE_VARIABLE, shell=shell.value
    )


def show_completion(value: Shell | None) -> None:
    if value is not None:
        typer.echo(completion_script(value))
        raise typer.Exit


def install_completion(value: Shell | None) -> None:
    if value is not None:
        from typer._completion_shared import install

        _, path = install(shell=value.value, prog_name=PROG_NAME, complete_var=COMPLETE_VARIABLE)
        typer.echo(f"{value} completion installed in {path}; it takes effect in a new shell")
        raise typer.Exit


def prepare_answers() -> None:
    """When a shell asks for completions, teach Typer all three shells' answer formats (Typer
    registers zsh and fish only alongside its own completion options, which toyctl replaces)."""
    if COMPLETE_VARIABLE in os.environ:
        from typer._completion_classes import completion_init

        completion_init()
