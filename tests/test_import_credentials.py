"""``ssogen import-credentials``: the portal's copy-paste text into [NAME] of the credentials
file with the config engine's guarantees (every other byte kept, in-place replacement, 0600,
atomic, one backup, the lock, no symlinks), proven usable by botocore and the AWS CLI against
the emulator's STS with role credentials the emulator issued; and never a secret in output."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Sandbox
from ssogen.app.import_credentials import ImportRequest, ImportResult, import_credentials
from ssogen.emulator import Emulator
from ssogen.errors import ConfigFileError, UsageError
from test_emulator_aws import role_credentials
from test_portal_credentials import BLOCK, FORMS, KEY_ID, SECRET, SECRETS, TOKEN, crlf, dialog

PROD, STAGING = "210987654321", "345678901234"


class Recorder:
    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        self.infos.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def login_prompt(self, prompt: object) -> None:
        raise AssertionError("no login here")

    def progress(self, label: str) -> Any:
        raise AssertionError("no progress here")


def _import(path: Path, text: str, profile: str | None = None,
            config: Path | None = None, reporter: Recorder | None = None) -> ImportResult:
    return import_credentials(ImportRequest(text=text, credentials_path=str(path),
                                            profile=profile,
                                            config_path=str(config) if config else None),
                              reporter)


NEW_KEYS = (f"aws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
            f"aws_session_token = {TOKEN}\n")


# -- the engine: zero collateral ---------------------------------------------------------------
def test_a_new_file_is_0600_in_a_new_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "home" / ".aws" / "credentials"
    result = _import(path, BLOCK)
    assert path.read_text() == f"[761018884888_AdministratorAccess]\n{NEW_KEYS}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert (result.profile, result.account_id, result.role_name) == (
        "761018884888_AdministratorAccess", "761018884888", "AdministratorAccess")
    assert result.created_file and result.written and not result.replaced
    assert result.backup is None and not path.with_name("credentials.ssogen.bak").exists()


OLD = ("# my credentials -- hand-edited\r\n"
       "[default]\r\n"
       "aws_access_key_id = AKIAOLDDEFAULTKEY000\r\n"
       "aws_secret_access_key = old-default-secret\r\n"
       "\r\n"
       "; the portal profile, pasted last week\r\n"
       "[acme]\r\n"
       "region=eu-west-1\r\n"
       "aws_access_key_id=ASIAOLDOLDOLDOLDOLD0\r\n"
       "# rotated by hand\r\n"
       "aws_secret_access_key=old-secret\r\n"
       "aws_session_token=old-token\r\n"
       "output=json\r\n"
       "\r\n"
       "[zeta]\r\n"
       "aws_access_key_id = AKIAZETAZETAZETAZETA\r\n"
       "aws_secret_access_key = zeta-secret")  # no final line break


def test_an_existing_section_gets_its_three_keys_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(OLD.encode())
    path.chmod(0o600)
    result = _import(path, crlf(FORMS["bash"]), profile="acme")
    expected = (OLD.replace("ASIAOLDOLDOLDOLDOLD0", KEY_ID).replace("=old-secret", f"={SECRET}")
                .replace("=old-token", f"={TOKEN}"))
    assert path.read_bytes() == expected.encode()  # CRLF, comments, order, no final newline
    assert result.replaced and result.written and not result.created_file
    assert result.backup == path.with_name("credentials.ssogen.bak")
    assert result.backup.read_bytes() == OLD.encode()
    assert stat.S_IMODE(result.backup.stat().st_mode) == 0o600


def test_a_new_section_is_appended_and_nothing_else_changes(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(OLD.encode())
    _import(path, FORMS["powershell"], profile="new-one")
    assert path.read_bytes() == (OLD + "\r\n\r\n[new-one]\r\n" + crlf(NEW_KEYS)).encode()


def test_the_same_credentials_again_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    _import(path, BLOCK)
    before = path.stat()
    again = _import(path, dialog(FORMS["cmd"]))
    assert not again.written and again.replaced and again.backup is None
    assert path.stat().st_mtime_ns == before.st_mtime_ns


def test_a_symlinked_credentials_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("[x]\naws_access_key_id = AKIAXXXXXXXXXXXXXXXX\n")
    link = tmp_path / "credentials"
    link.symlink_to(target)
    with pytest.raises(ConfigFileError, match="is a symlink; ssogen does not write"):
        _import(link, BLOCK)
    assert target.read_text() == "[x]\naws_access_key_id = AKIAXXXXXXXXXXXXXXXX\n"
    assert link.is_symlink()


@pytest.mark.parametrize("suffix", [".ssogen.bak", ".ssogen.lock"])
def test_a_symlinked_backup_or_lock_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / "credentials"
    path.write_text("[x]\n")
    (tmp_path / f"credentials{suffix}").symlink_to(tmp_path / "stolen")
    with pytest.raises(ConfigFileError, match=f"credentials{re.escape(suffix)} is a symlink"):
        _import(path, BLOCK)
    assert path.read_text() == "[x]\n" and not (tmp_path / "stolen").exists()


@pytest.mark.parametrize("text", [
    FORMS["bash"].replace("AWS_SESSION_TOKEN", "AWS_SESSION_TOKN"),
    BLOCK + BLOCK.replace(SECRET, SECRET[::-1]),
    FORMS["cmd"].replace(SECRET, "two words"),
])
def test_refused_text_leaves_the_file_untouched(tmp_path: Path, text: str) -> None:
    path = tmp_path / "credentials"
    path.write_bytes(OLD.encode())
    before = path.stat()
    with pytest.raises(UsageError):
        _import(path, text, profile="acme")
    assert path.read_bytes() == OLD.encode() and path.stat().st_mtime_ns == before.st_mtime_ns
    assert not path.with_name("credentials.ssogen.bak").exists()


def test_a_file_botocore_cannot_read_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    broken = "[a]\naws_secret_access_key = x\nSECRETLOOKINGLINEabc123/+\n"
    path.write_text(broken)
    with pytest.raises(ConfigFileError) as info:
        _import(path, BLOCK)
    assert info.value.message.startswith(f"{path}:3: a line botocore and the AWS CLI cannot")
    assert "SECRETLOOKING" not in info.value.message
    assert path.read_text() == broken
    path.write_text("[a]\n[a]\n")
    with pytest.raises(ConfigFileError, match="duplicate section"):
        _import(path, BLOCK)
    # a later unreadable line is named in the hint by its number only, whatever comes first
    for first in ("[a]\n[a]\n", "[a]\nSECRETFIRSTabc123/+\n"):
        path.write_text(first + "[b]\nSECRETLATERabc123/+\nx = 1\nSECRETLASTabc123/+\n")
        with pytest.raises(ConfigFileError) as info:
            _import(path, BLOCK)
        err = info.value
        shown = f"{err.message}\n{err.hint}\n{err.more}"
        assert "SECRET" not in shown, shown
        assert err.hint is not None
        assert "line 4: a line botocore and the AWS CLI cannot read" in err.hint
        assert "line 6: a line botocore and the AWS CLI cannot read" in err.hint


@pytest.mark.parametrize(("name", "needle"), [
    (None, "names no profile"), ("DEFAULT", "[DEFAULT] is not a profile"),
    ("two words", "cannot be a [NAME] section"), ("a]b", "cannot be a [NAME] section"),
    ("", "empty"),
])
def test_the_profile_name_must_be_a_section_name(tmp_path: Path, name: str | None,
                                                 needle: str) -> None:
    with pytest.raises(UsageError) as info:
        _import(tmp_path / "credentials", FORMS["bash"], profile=name)
    assert needle in info.value.message
    assert not (tmp_path / "credentials").exists()


def test_profile_overrides_the_block_name(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    result = _import(path, BLOCK, profile="prod-admin")
    assert path.read_text() == f"[prod-admin]\n{NEW_KEYS}"
    assert (result.account_id, result.role_name) == ("761018884888", "AdministratorAccess")


def test_a_config_profile_that_would_win_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile prod-admin]\nsso_session = acme\nsso_account_id = 1\n"
                      "region = eu-west-1\n\n[profile plain]\nregion = eu-west-1\n")
    path = tmp_path / "credentials"
    assert _import(path, BLOCK, "prod-admin", config).shadowed_by == ["sso_session",
                                                                      "sso_account_id"]
    assert _import(path, BLOCK, "plain", config).shadowed_by == []


def test_a_file_others_can_read_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text("[x]\n")
    path.chmod(0o644)
    rec = Recorder()
    _import(path, BLOCK, reporter=rec)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # the user's mode is kept...
    assert rec.warnings == [f"{path} can be read by other users (mode 0644); "
                            f"`chmod 600 {path}` keeps the credentials private"]  # ...and named


# -- the command, against the emulator ---------------------------------------------------------
def _as_form(form: str, creds: dict[str, str], header: str = "") -> str:
    k, s, t = (creds["aws_access_key_id"], creds["aws_secret_access_key"],
               creds["aws_session_token"])
    return (FORMS[form].replace(KEY_ID, k).replace(SECRET, s).replace(TOKEN, t)
            .replace("761018884888_AdministratorAccess", header or "x"))


def _caller(sandbox: Sandbox, profile: str) -> str:
    """``sts get-caller-identity`` with boto3 in a subprocess, through the profile: the ARN."""
    proc = sandbox.python(
        "import boto3\n"
        f"session = boto3.session.Session(profile_name={profile!r})\n"
        "ident = session.client('sts', region_name='eu-west-1').get_caller_identity()\n"
        "print(session.get_credentials().method, ident['Account'], ident['Arn'])\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


def _credentials_file(sandbox: Sandbox) -> Path:
    return sandbox.aws / "credentials"


@pytest.mark.parametrize("form", list(FORMS))
def test_each_pasted_form_makes_a_working_profile(sandbox: Sandbox, emulator: Emulator,
                                                  form: str) -> None:
    sandbox.env.update(emulator.endpoint_env())
    creds = role_credentials(emulator, STAGING, "AdministratorAccess")
    text = crlf(dialog(_as_form(form, creds), block=""))  # CRLF and the dialog's prose
    if form == "credentials file":
        text = crlf(dialog("", block=_as_form(form, creds, f"{STAGING}_AdministratorAccess")))
    args = [] if form == "credentials file" else ["--profile", "staging-admin"]
    proc = sandbox.run("import-credentials", *args, input=text)
    assert proc.returncode == 0, proc.stderr
    name = f"{STAGING}_AdministratorAccess" if form == "credentials file" else "staging-admin"
    path = _credentials_file(sandbox)
    who = (f" (account {STAGING}, role AdministratorAccess)"
           if form == "credentials file" else "")
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [f"ssogen: [{name}] in {path}: added{who}",
                                        f"next: aws sts get-caller-identity --profile {name}"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    method, account, arn = _caller(sandbox, name).split()
    assert (method, account) == ("shared-credentials-file", STAGING)
    assert arn.startswith(f"arn:aws:sts::{STAGING}:assumed-role/AWSReservedSSO_Administrator")


@pytest.mark.interop
def test_the_aws_cli_uses_the_imported_profile(sandbox: Sandbox, emulator: Emulator) -> None:
    """``aws sts get-caller-identity --profile NAME`` itself (the AWS CLI v1 from the test
    extras, in this venv)."""
    aws = Path(sys.executable).with_name("aws")
    if not aws.exists():
        pytest.skip("the AWS CLI v1 is not installed in this venv")
    sandbox.env.update(emulator.endpoint_env())
    creds = role_credentials(emulator, PROD, "ReadOnlyAccess")
    block = _as_form("credentials file", creds, f"{PROD}_ReadOnlyAccess")
    assert sandbox.run("import-credentials", input=crlf(block)).returncode == 0
    out = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile",
                          f"{PROD}_ReadOnlyAccess", "--region", "eu-west-1", "--output", "text",
                          "--query", "Account"], capture_output=True, text=True,
                         env=sandbox.env, cwd=str(sandbox.home), timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == PROD


def test_a_replaced_profile_works_and_keeps_the_users_keys(sandbox: Sandbox,
                                                           emulator: Emulator) -> None:
    sandbox.env.update(emulator.endpoint_env())
    sandbox.aws.mkdir()
    path = _credentials_file(sandbox)
    path.write_text("[work]\n# mine\nregion = eu-west-1\naws_access_key_id = ASIAEXPIREDEXPIRED00\n"
                    "aws_secret_access_key = old\naws_session_token = old\n")
    path.chmod(0o600)
    first = role_credentials(emulator, PROD)
    assert sandbox.run("import-credentials", "--profile", "work",
                       input=_as_form("bash", first)).returncode == 0
    second = role_credentials(emulator, STAGING, "AdministratorAccess")
    proc = sandbox.run("import-credentials", "--profile", "work",
                       input=_as_form("cmd", second))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == f"ssogen: [work] in {path}: replaced its keys"
    assert proc.stderr.splitlines()[1] == f"previous version: {path}.ssogen.bak"
    text = path.read_text()
    assert text.startswith("[work]\n# mine\nregion = eu-west-1\n")
    assert second["aws_session_token"] in text and first["aws_session_token"] not in text
    assert _caller(sandbox, "work").split()[1] == STAGING


@pytest.mark.parametrize(("text", "needle"), [
    ("Option 1: Set AWS environment variables\n", "no credentials found"),
    (FORMS["bash"].replace('"' + TOKEN + '"', '"' + TOKEN[:20]), "opens a quote"),
    (FORMS["bash"] + FORMS["powershell"].replace(SECRET, SECRET[::-1]),
     "two different credential sets"),
])
def test_broken_pastes_are_one_line_exit_2_and_touch_nothing(sandbox: Sandbox, text: str,
                                                            needle: str) -> None:
    sandbox.aws.mkdir()
    path = _credentials_file(sandbox)
    path.write_text("[keep]\naws_access_key_id = AKIAKEEPKEEPKEEPKEEP\n")
    proc = sandbox.run("import-credentials", "--profile", "p", input=text)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ssogen: error: ") and needle in lines[0]
    assert path.read_text() == "[keep]\naws_access_key_id = AKIAKEEPKEEPKEEPKEEP\n"
    assert not any(s in proc.stderr for s in (*SECRETS, SECRET[::-1], TOKEN[:20]))


def test_no_profile_name_is_exit_2(sandbox: Sandbox) -> None:
    proc = sandbox.run("import-credentials", input=FORMS["powershell"])
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ssogen: error: the pasted text names no profile (only the credentials-file block "
        "does); give --profile NAME"]
    assert not _credentials_file(sandbox).exists()


def test_credentials_flag_and_the_environment_variable(sandbox: Sandbox, tmp_path: Path,
                                                       ) -> None:
    target = tmp_path / "ci-credentials"
    proc = sandbox.run("import-credentials", "--credentials", str(target), input=BLOCK)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().startswith("[761018884888_AdministratorAccess]\n")
    other = tmp_path / "env-credentials"
    proc = sandbox.run("import-credentials", input=BLOCK,
                       env={"AWS_SHARED_CREDENTIALS_FILE": str(other)})
    assert proc.returncode == 0 and other.exists()
    assert not _credentials_file(sandbox).exists()
    for p in (target, other):
        assert not any(s in proc.stderr for s in SECRETS)
        assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_a_shadowing_config_profile_is_warned_about(sandbox: Sandbox) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[profile prod]\nsso_session = acme\nsso_account_id = 1\n"
                              "sso_role_name = R\n")
    proc = sandbox.run("import-credentials", "--profile", "prod", input=FORMS["bash"])
    assert proc.returncode == 0
    assert proc.stderr.splitlines()[0] == (
        f"ssogen: warning: [profile prod] in {sandbox.config} has sso_session, sso_account_id,"
        " sso_role_name: AWS tools use that, not these keys; pick another --profile name")


# -- the Windows clipboard (WSL2) ------------------------------------------------------------
def _fake_powershell(sandbox: Sandbox, payload: bytes, *, exit_code: int = 0) -> Path:
    """A ``powershell.exe`` on PATH that records its arguments and prints ``payload``."""
    bindir = sandbox.home / "winbin"
    bindir.mkdir(exist_ok=True)
    data = sandbox.home / "clipboard.bin"
    data.write_bytes(payload)
    data.chmod(0o600)
    argv_log = sandbox.home / "powershell-argv"
    exe = bindir / "powershell.exe"
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"open({str(argv_log)!r}, 'w').write('\\n'.join(sys.argv[1:]))\n"
        f"sys.stdout.buffer.write(open({str(data)!r}, 'rb').read())\n"
        f"sys.exit({exit_code})\n")
    exe.chmod(0o700)
    sandbox.env["PATH"] = f"{bindir}{os.pathsep}{sandbox.env.get('PATH', '')}"
    sandbox.env["WSL_DISTRO_NAME"] = "Ubuntu"  # what WSL sets; the sandbox scrubs it
    return argv_log


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_from_clipboard_reads_the_windows_clipboard(sandbox: Sandbox, emulator: Emulator,
                                                    encoding: str) -> None:
    sandbox.env.update(emulator.endpoint_env())
    creds = role_credentials(emulator, PROD)
    text = crlf(dialog(_as_form("powershell", creds),
                       block=_as_form("credentials file", creds, f"{PROD}_ReadOnlyAccess")))
    argv_log = _fake_powershell(sandbox, text.encode(encoding))
    proc = sandbox.run("import-credentials", "--from-clipboard", input="ignored")
    assert proc.returncode == 0, proc.stderr
    assert argv_log.read_text().splitlines() == ["-NoProfile", "-Command", "Get-Clipboard"]
    assert proc.stderr.splitlines()[0] == (
        f"ssogen: [{PROD}_ReadOnlyAccess] in {_credentials_file(sandbox)}: added (account "
        f"{PROD}, role ReadOnlyAccess)")
    assert _caller(sandbox, f"{PROD}_ReadOnlyAccess").split()[1] == PROD


def test_from_clipboard_failures_are_one_line(sandbox: Sandbox) -> None:
    proc = sandbox.run("import-credentials", "--from-clipboard")  # not WSL
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ssogen: error: --from-clipboard reads the Windows clipboard and works on WSL2 only; "
        "pipe the text into stdin instead"]
    _fake_powershell(sandbox, b"", exit_code=1)
    proc = sandbox.run("import-credentials", "--from-clipboard")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ssogen: error: cannot read the Windows clipboard (powershell.exe exited 1); pipe the "
        "text into stdin instead"]
    _fake_powershell(sandbox, b"Get credentials for AdministratorAccess\r\n")
    proc = sandbox.run("import-credentials", "--from-clipboard", "--profile", "p")
    assert proc.returncode == 2 and "no credentials found" in proc.stderr
    assert not _credentials_file(sandbox).exists()


# -- a terminal: the paste is not echoed -------------------------------------------------------
@pytest.mark.pty
def test_a_paste_into_the_terminal_is_not_shown(sandbox: Sandbox, emulator: Emulator) -> None:
    import pexpect

    sandbox.env.update(emulator.endpoint_env())
    creds = role_credentials(emulator, PROD)
    child = pexpect.spawn(sys.executable, ["-m", "ssogen", "import-credentials", "--profile",
                                           "pasted"], env=sandbox.env, cwd=str(sandbox.home),
                          encoding="utf-8", timeout=60)
    child.expect("Paste the text from the access portal")
    child.expect("Ctrl-D:")
    for line in _as_form("bash", creds).splitlines():
        child.sendline(line)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "ssogen: [pasted] in" in (child.before or "")
    assert _caller(sandbox, "pasted").split()[1] == PROD


def test_a_change_made_meanwhile_is_read_again_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ssogen.store.snapshot import ConfigSnapshot

    path = tmp_path / "credentials"
    path.write_text("[a]\naws_access_key_id = AKIAAAAAAAAAAAAAAAAA\n")
    path.chmod(0o600)
    original = ConfigSnapshot.unchanged
    calls: list[int] = []

    def unchanged(self: ConfigSnapshot) -> bool:
        if not calls:  # another program (aws configure set) writes between read and write
            with path.open("a") as fh:
                fh.write("\n[b]\nregion = eu-west-1\n")
        calls.append(1)
        return original(self)

    monkeypatch.setattr(ConfigSnapshot, "unchanged", unchanged)
    rec = Recorder()
    _import(path, BLOCK, reporter=rec)
    assert path.read_text() == ("[a]\naws_access_key_id = AKIAAAAAAAAAAAAAAAAA\n\n[b]\n"
                                "region = eu-west-1\n\n[761018884888_AdministratorAccess]\n"
                                + NEW_KEYS)
    assert rec.warnings == [f"{path} was changed by another program while ssogen worked; "
                            "reading it again"]
