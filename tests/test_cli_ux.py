"""CLI polish: fast --help, examples on every command, one-line errors, shell completion."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "configupdater", "questionary", "prompt_toolkit", "jinja2",
         "ssogen.aws.credentials")


def _imported_by_every_help(modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh process has imported after building the whole parser and
    printing every command's help."""
    code = (
        "import sys\n"
        "from ssogen.cli import build_parser\n"
        "p = build_parser()\n"
        "p.format_help()\n"
        "for a in p._actions:\n"
        "    if hasattr(a, 'choices') and isinstance(a.choices, dict):\n"
        "        [s.format_help() for s in a.choices.values()]\n"
        f"print(' '.join(sorted(m for m in {modules!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_parser_build_imports_nothing_heavy() -> None:
    """`ssogen --help` stays fast: building the parser imports no heavy dependency."""
    assert _imported_by_every_help(HEAVY) == []


def test_every_commands_help_imports_neither_typing_nor_dataclasses() -> None:
    """``ssogen COMMAND --help`` pays for argparse and the command's own module only:
    ``typing`` (5-7 ms), ``dataclasses`` with ``inspect`` (about 30 ms) are not imported by
    any command module, nor by building and printing every command's help."""
    assert _imported_by_every_help(("typing", "dataclasses", "inspect")) == []


def test_version_alone_is_answered_without_argparse_and_as_the_parser_answers() -> None:
    code = ("import io, sys, contextlib\n"
            "from ssogen.cli import main, build_parser\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    code = main(['--version'])\n"
            "print(repr(out.getvalue()), code, 'argparse' in sys.modules)\n"
            "parsed = io.StringIO()\n"
            "with contextlib.redirect_stdout(parsed):\n"
            "    try:\n"
            "        build_parser().parse_args(['--version'])\n"
            "    except SystemExit as exc:\n"
            "        print(repr(parsed.getvalue()), exc.code, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    fast, parsed = proc.stdout.strip().rsplit(" ", 2), proc.stderr.strip().rsplit(" ", 1)
    assert fast[1:] == ["0", "False"], proc.stdout  # exit 0, argparse never imported
    assert fast[0] == parsed[0] and fast[0].startswith("'ssogen "), (proc.stdout, proc.stderr)
    assert parsed[1] == "0"


def test_a_parser_built_for_one_command_lists_them_all() -> None:
    """The parser built for the command on the command line lists every command, in the same
    words as the full parser; the ones only listed share a parser that takes nothing and has
    no run(), so reaching one could only show the top-level help, never run another command."""
    import argparse

    from ssogen.cli import build_parser

    full = build_parser()
    for wanted in ("sync", "export-credentials", "org"):
        one = build_parser([wanted])
        assert one.format_help() == full.format_help(), wanted
        sub = next(a for a in one._actions if isinstance(a, argparse._SubParsersAction))
        assert list(sub.choices) == list(next(
            a for a in full._actions if isinstance(a, argparse._SubParsersAction)).choices)
        others = {id(p) for name, p in sub.choices.items() if name != wanted}
        assert len(others) == 1
    args = build_parser(["sync"]).parse_args(["list"])
    assert args.command == "list" and not hasattr(args, "func")
    with pytest.raises(SystemExit):
        build_parser(["sync"]).parse_args(["list", "--json"])


@pytest.mark.parametrize("columns", ["50", "64", "80", "100"])
def test_help_never_breaks_a_flag_or_a_name_at_its_hyphen(columns: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No line of any ``--help`` ends inside a hyphenated word (argparse breaks option help
    at hyphens: "Without --use-" / "pkce"), at any width."""
    import argparse
    import itertools
    import re

    from ssogen.cli import build_parser

    monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = 0
    for p in [parser, *dict.fromkeys(sub.choices.values())]:
        text = p.format_help().splitlines()
        broken = [f"{a!r} / {b!r}" for a, b in itertools.pairwise(text)
                  if re.search(r"[A-Za-z0-9]-$", a) and re.match(r"\s*[a-z0-9]", b)]
        assert not broken, (p.prog, columns, broken)
        lines += len(text)
    assert lines > 500


def _helps(columns: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    import argparse

    from ssogen.cli import build_parser

    monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {p.prog: p.format_help().splitlines()
            for p in [parser, *dict.fromkeys(sub.choices.values())]}


def _commands_in(lines: list[str]) -> list[list[str]]:
    """The shell commands of a help text, ``\\`` continuations joined, as shell words (a
    pipeline or a redirection as its text)."""
    import shlex

    out, pending = [], ""
    for line in lines:
        text = line.strip()
        if pending or line.startswith(("  ssogen ", "  aws ")):  # an example's first line
            joined = (pending + " " + text).strip()
            if joined.endswith("\\"):
                pending = joined[:-1].rstrip()
                continue
            if joined.endswith(" |"):  # a pipeline goes on (bash and PowerShell)
                pending = joined
                continue
            pending = ""
            command = joined.split("  ")[0]  # a description column after two spaces
            piped = " | " in command or " > " in command
            out.append([" ".join(command.split())] if piped else shlex.split(command))
    return out


@pytest.mark.parametrize("columns", ["50", "64", "80", "100"])
def test_help_examples_paste_as_the_same_commands_at_any_width(
        columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An example command too long for the terminal is broken between its words with a
    ``\\`` -- never inside a quoted template or a URL -- so that copied from any width it
    is the command the help means (the one shown whole at 200 columns); a line that cannot
    be continued (a config line, a PowerShell pipeline) or a single word is shown whole;
    prose never splits a `quoted` piece; and no line goes past the width otherwise."""
    import re

    wide, narrow = _helps("200", monkeypatch), _helps(columns, monkeypatch)
    width = int(columns)
    checked = 0
    for prog, lines in narrow.items():
        assert _commands_in(lines) == _commands_in(wide[prog]), (prog, columns)
        checked += len(_commands_in(lines))
        usage = lines.index("")  # argparse's usage block: its own (unbreakable) groups
        for line in lines[usage:]:
            assert line.count("`") % 2 == 0, (prog, columns, line)
            if len(line) <= width:
                continue
            text = line.strip().removesuffix(" \\")
            words = re.findall(r"(?:[^\s'\"]+|'[^']*'|\"[^\"]*\")+", text)
            assert " = " in text or len(words) == 1, (prog, columns, line)
    assert checked > 40


def test_every_export_format_the_parser_offers_renders() -> None:
    """--format offers exactly the renderer's formats, and each one renders (a choice the
    renderer does not know would be exit 2 after a successful credential fetch)."""
    import argparse

    from ssogen.aws.credential_formats import FORMATS, render_fields
    from ssogen.cli import build_parser

    parser = build_parser(["export-credentials"])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    fmt = next(a for a in sub.choices["export-credentials"]._actions if a.dest == "format")
    assert tuple(fmt.choices or ()) == FORMATS
    outputs = {f: render_fields("AKIDX", "s3cr'et", "tok", "2030-01-01T00:00:00Z", f)
               for f in FORMATS}
    assert outputs["env"].splitlines()[1] == "export AWS_SECRET_ACCESS_KEY='s3cr'\"'\"'et'"
    assert outputs["powershell"].splitlines()[1] == "$Env:AWS_SECRET_ACCESS_KEY='s3cr''et'"
    assert '"Version": 1' in outputs["process"] and "Version" not in outputs["json"]


def _commands() -> list[str]:
    from ssogen.cli import build_parser

    parser = build_parser()
    for a in parser._actions:
        if hasattr(a, "choices") and isinstance(a.choices, dict):
            return list(a.choices)
    return []


def test_every_command_has_examples(run_ssogen) -> None:  # type: ignore[no-untyped-def]
    cmds = _commands()
    assert {"export-credentials", "completion"} <= set(cmds)
    for cmd in cmds:
        proc = run_ssogen(cmd, "--help")
        assert proc.returncode == 0, cmd
        assert "examples:" in proc.stdout, f"`ssogen {cmd} --help` has no examples"
        assert "ssogen" in proc.stdout.split("examples:")[1]


def test_top_level_help_and_version(run_ssogen) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen("--help")
    assert proc.returncode == 0
    assert "examples:" in proc.stdout and "exit codes" in proc.stdout
    assert run_ssogen("--version").stdout.startswith("ssogen ")


def test_missing_profile_is_one_line_exit_2(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    sandbox.config.write_text("[profile other]\nregion = eu-west-1\n")
    proc = sandbox.run("export-credentials", "--profile", "nope")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[0] == f"ssogen: error: profile 'nope' not found in {sandbox.config}"
    assert len(lines) <= 2 and all("Traceback" not in ln for ln in lines)


# -- completion ------------------------------------------------------------------------------
def _bash_complete(sandbox, script: str, words: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    line = " ".join(words)
    prog = (
        f"{script}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}\n"
        "_ssogen\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(["bash", "-c", prog], capture_output=True, text=True,
                         env=sandbox.env, check=True)
    return [w for w in out.stdout.splitlines() if w]


def test_bash_completion(sandbox, run_ssogen) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen("completion", "bash")
    assert proc.returncode == 0
    script = proc.stdout
    sandbox.aws.mkdir()
    sandbox.config.write_text(
        "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n"
        "sso_region = eu-west-1\n\n[profile prod-admin]\nregion = eu-west-1\n\n"
        "[profile dev-ro]\nregion = eu-west-1\n"
    )
    top = _bash_complete(sandbox, script, ["ssogen", ""])
    for cmd in _commands():
        assert cmd in top
    assert _bash_complete(sandbox, script, ["ssogen", "exp"]) == ["export-credentials"]
    assert "--format" in _bash_complete(sandbox, script, ["ssogen", "export-credentials", "--"])
    assert _bash_complete(sandbox, script,
                          ["ssogen", "export-credentials", "--format", "p"]) == [
        "powershell", "process"]
    assert _bash_complete(sandbox, script,
                          ["ssogen", "export-credentials", "--profile", ""]) == [
        "prod-admin", "dev-ro"]
    assert _bash_complete(sandbox, script, ["ssogen", "completion", "z"]) == ["zsh"]
    assert _bash_complete(sandbox, script, ["ssogen", "setup", "--sso-region", "eu-west-"]) == [
        "eu-west-1", "eu-west-2", "eu-west-3"]
    assert "--start-url" in _bash_complete(sandbox, script, ["ssogen", "setup", "--st"])
    assert "acme" in _bash_complete(sandbox, script, ["ssogen", "sync", ""])
    assert _bash_complete(sandbox, script, ["ssogen", "sync", "ac"]) == ["acme"]


@pytest.mark.skipif(not shutil.which("fish"), reason="fish not installed")
def test_fish_completion(sandbox, run_ssogen) -> None:  # type: ignore[no-untyped-def]
    script = sandbox.home / "ssogen.fish"
    script.write_text(run_ssogen("completion", "fish").stdout)
    sandbox.aws.mkdir()
    sandbox.config.write_text("[profile prod-admin]\nregion = eu-west-1\n")

    def complete(line: str) -> list[str]:
        out = subprocess.run(["fish", "--no-config", "-c",
                              f"source {script}; complete -C {line!r}"],
                             capture_output=True, text=True, env=sandbox.env, check=True)
        return [ln.split("\t")[0] for ln in out.stdout.splitlines()]

    assert "export-credentials" in complete("ssogen ex")
    assert "--format" in complete("ssogen export-credentials --fo")
    assert "prod-admin" in complete("ssogen export-credentials --profile ")
    assert "us-gov-west-1" in complete("ssogen setup --sso-region us-gov")


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed")
def test_zsh_completion_parses(run_ssogen, sandbox) -> None:  # type: ignore[no-untyped-def]
    script = sandbox.home / "_ssogen"
    text = run_ssogen("completion", "zsh").stdout
    script.write_text(text)
    assert text.startswith("#compdef ssogen")
    for cmd in _commands():
        assert f"'{cmd}:" in text
    subprocess.run(["zsh", "-n", str(script)], check=True)


def test_completion_rejects_unknown_shell(run_ssogen) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen("completion", "tcsh")
    assert proc.returncode == 2


@pytest.mark.parametrize("argv", [
    ["sync", "--check", "--dry-run"],
    ["export-credentials", "--profile", "p", "--format", "yaml"],
    ["setup", "--output", "xml"],
    ["list", "--session", "a", "--profile", "b"],
    ["bogus"],
    ["emulator", "--port", "70000"],
])
def test_flag_errors_are_one_line_exit_2(run_ssogen, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen(*argv)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ssogen: error: ") and "--help" in lines[0]
    assert "usage:" not in proc.stderr


@pytest.mark.parametrize("words", [["sync", "--check"], ["sync", "--bogus"], ["sync", "--help"]])
def test_sync_runs_without_the_cycle_collector_and_gives_it_back(words: list[str],
                                                                  tmp_path) -> None:  # type: ignore[no-untyped-def]
    """sync pauses the cyclic garbage collector from its first import; every way out of the
    run (a result, a usage error, --help) turns it back on for the process."""
    code = ("import gc, sys\nfrom ssogen.cli import main\nseen = []\n"
            "import ssogen.app.sync as s\nrun = s.run\n"
            "def spy(*a, **k):\n    seen.append(gc.isenabled())\n    return run(*a, **k)\n"
            "s.run = spy\n"
            f"try:\n    main(['--config', {str(tmp_path / 'config')!r}, *{words!r}])\n"
            "except SystemExit:\n    pass\n"
            "print(seen, gc.isenabled())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    expected = "[False] True" if words == ["sync", "--check"] else "[] True"
    assert out.stdout.strip().splitlines()[-1] == expected


def test_an_abbreviated_config_option_still_finds_the_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """argparse takes ``--conf`` for ``--config``: its value is not the command's name."""
    proc = subprocess.run([sys.executable, "-m", "ssogen", "--conf", str(tmp_path / "c"),
                           "sync", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: ssogen sync") and "--check" in proc.stdout
