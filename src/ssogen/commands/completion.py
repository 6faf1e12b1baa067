"""``ssogen completion bash|zsh|fish``: a shell completion script generated from the parser.

No extra dependency: the script is built by walking the argparse parser, so every command and
flag that exists is completed, and nothing that does not. ``--profile`` and ``--session`` (and
``sync``'s SESSION arguments) complete from the names in the config file.
"""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY

SHELLS = ("bash", "zsh", "fish")

EPILOG = """\
examples:
  ssogen completion bash > ~/.local/share/bash-completion/completions/ssogen
  echo 'eval "$(ssogen completion bash)"' >> ~/.bashrc
  ssogen completion zsh > "${fpath[1]}/_ssogen"        (then: autoload -U compinit && compinit)
  ssogen completion fish > ~/.config/fish/completions/ssogen.fish
"""

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "completion", parents=[common],
        help=SUMMARY["completion"],
        description="Print a completion script for SHELL on stdout.",
        epilog=EPILOG,
    )
    p.add_argument("shell", choices=SHELLS, help="bash, zsh or fish")
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from ssogen.ui.completion import bash_script, fish_script, zsh_script

    parser = args.root_parser
    script = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](parser)
    sys.stdout.write(script)
    return 0
