"""``doctor``: a read-only health check of the config, the caches and the logins -- what a
user runs when "it doesn't work". Every finding names where (``file:line``, a profile, a
session) and the fix. Nothing is ever written: no login, no token refresh (that would
rewrite the cache); online checks use a token that is valid as it is.

The checks are a list of small functions, each on the snapshot (and the cache), so adding
one is adding a function to :data:`CONFIG_CHECKS`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssogen.errors import ConfigFileError, SsogenError
from ssogen.inifile.codec import BOM
from ssogen.inifile.model import is_chain
from ssogen.model.clock import shown
from ssogen.model.starturl import portal_key, same_start_url
from ssogen.records import asdict, field, record

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.inifile.model import FileModel, SectionInfo
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot

#: clock skew against the service above which tokens expire early or late
MAX_SKEW_SECONDS = 300


@record(frozen=True)
class DoctorRequest:
    config: Path
    session: str | None = None
    online: bool = True  # False: --no-login (no network at all)


@record(frozen=True)
class Finding:
    where: str  # file:line, "profile NAME", "session NAME", a path
    problem: str
    fix: str
    check: str  # which check found it (stable: for --json consumers)


def refusal_findings(exc: ConfigFileError, path: Path, fix: str, check: str,
                     other_fix: str = "fix the file") -> list[Finding]:
    """A config that cannot be read as findings: each line botocore refuses
    (``<file>:<line>: what; ...``, then the others the error carries) at its line, with
    ``fix``; anything else (permission denied...) at the file, with its own hint (else
    ``other_fix``)."""
    where, _, problem = exc.message.partition(": ")
    if where.startswith(f"{path}:"):
        return [Finding(where, problem.split("; ")[0], fix, check),
                *(Finding(f"{path}:{line}", what, fix, check) for line, what in exc.more)]
    return [Finding(str(path), exc.message.removeprefix(f"{path}: "), exc.hint or other_fix,
                    check)]


@record
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is fine, said once

    @property
    def healthy(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "findings": [asdict(f) for f in self.findings],
                "notes": list(self.notes)}


def run(request: DoctorRequest, reporter: Reporter) -> Report:
    from ssogen.store.snapshot import ConfigSnapshot

    report = Report()
    snapshot = ConfigSnapshot.read(request.config)
    if snapshot.raw is None:
        report.findings.append(Finding(str(request.config), "there is no config file",
                                       "ssogen setup", "config-missing"))
        return report
    refused: ConfigFileError | None = None
    try:
        model: FileModel | None = snapshot.model
    except ConfigFileError as exc:  # botocore refuses it too: nothing else can be checked
        model, refused = None, exc
    if snapshot.raw.startswith(BOM.encode("utf-8")):
        # any write by ssogen removes it; `sync` writes only where ssogen has a session
        writer = "sync" if model is not None and model.of_kind("ssogen") else "setup"
        report.findings.append(Finding(
            f"{request.config}:1", "the file starts with a UTF-8 byte-order mark, which "
            "botocore and the AWS CLI cannot read", "save the file without a BOM (or run "
            f"ssogen {writer}, which removes it)", "bom"))
    if model is None:
        assert refused is not None
        report.findings += refusal_findings(refused, request.config, "edit that line (the "
                                            "AWS CLI cannot read the file either)", "parse")
        return report
    for check in CONFIG_CHECKS:
        report.findings += check(model, str(request.config))
    sessions = _sessions(snapshot, request.session)
    for session in sessions:
        report.findings += cache_findings(session, report.notes)
    from ssogen.app.windows_doctor import findings as windows_findings  # WSL2 mirror

    report.findings += windows_findings(snapshot, sessions, report.notes)
    report.findings += permission_findings()
    if request.online:
        for session in sessions:
            report.findings += online_findings(session, snapshot, reporter, report.notes)
    return report


# -- the config ------------------------------------------------------------------------------
def _profiles(model: FileModel) -> list[SectionInfo]:
    return model.of_kind("profile")


def check_session_references(model: FileModel, source: str) -> Iterator[Finding]:
    sessions = {s.name: s for s in model.of_kind("sso-session")}
    for s in sessions.values():
        missing = [k for k in ("sso_start_url", "sso_region") if not s.options.get(k)]
        if missing:
            yield Finding(f"{source}:{s.line}", f"[sso-session {s.name}] lacks "
                          f"{' and '.join(missing)}", f"add {missing[0]} = ... to it, or "
                          "run ssogen setup", "session-incomplete")
    for p in _profiles(model):
        name = p.options.get("sso_session")
        if name and name not in sessions:
            yield Finding(f"{source}:{p.line}", f"profile {p.name} uses sso_session {name}, "
                          f"but there is no [sso-session {name}]", f"add [sso-session {name}] "
                          "(ssogen setup writes one) or fix the name", "session-missing")
        elif name:
            session = sessions[name]
            for key in ("sso_start_url", "sso_region"):
                mine, theirs = p.options.get(key), session.options.get(key)
                if mine and theirs and mine.strip() != theirs.strip():
                    yield Finding(f"{source}:{p.line}", f"profile {p.name} sets {key} "
                                  f"differently from [sso-session {name}] (botocore refuses "
                                  "the profile)", f"remove {key} from the profile",
                                  "session-conflict")


def check_legacy(model: FileModel, source: str) -> Iterator[Finding]:
    from ssogen.planning.legacy import is_legacy

    sessions = model.of_kind("sso-session")
    for p in _profiles(model):
        if not is_legacy(p) or p.managed:
            continue
        url = p.options.get("sso_start_url", "").strip()
        session = next((s for s in sessions
                        if same_start_url(s.options.get("sso_start_url", ""), url)), None)
        fix = ("ssogen sync --migrate-legacy" if session is not None
               else f"ssogen setup --start-url {url} --migrate-legacy")
        yield Finding(f"{source}:{p.line}", f"profile {p.name} is a legacy SSO profile "
                      "(sso_start_url in the profile: its token never refreshes)", fix, "legacy")


def check_shared_start_urls(model: FileModel, source: str) -> Iterator[Finding]:
    """Two [sso-session]s for one portal: two logins and two token caches for one thing, and
    profiles of the same account/role under two names."""
    first: dict[str, SectionInfo] = {}
    for s in model.of_kind("sso-session"):
        url = s.options.get("sso_start_url", "").strip()
        if not url:
            continue  # reported as incomplete
        other = first.setdefault(portal_key(url), s)
        if other is not s:
            yield Finding(f"{source}:{s.line}", f"[sso-session {s.name}] and [sso-session "
                          f"{other.name}] (line {other.line}) are both for {url}: two logins "
                          "for one portal", f"keep one: point the profiles of {s.name} at "
                          f"sso_session = {other.name}, then remove [sso-session {s.name}]",
                          "session-duplicate")


def check_duplicates(model: FileModel, source: str) -> Iterator[Finding]:
    """Two profiles for one account and role of one portal -- through one session, two
    sessions for the portal, or a legacy profile (its own sso_start_url) beside a
    session's."""
    sessions = {s.name: s.options.get("sso_start_url", "") for s in model.of_kind("sso-session")}
    seen: dict[tuple[str, str, str], SectionInfo] = {}
    for p in _profiles(model):
        o = p.options
        account, role = o.get("sso_account_id", ""), o.get("sso_role_name", "")
        if not account or not role or is_chain(p):
            continue
        name = o.get("sso_session")
        url = sessions.get(name, "") if name else o.get("sso_start_url", "")
        where = portal_key(url) if url.strip() else f"session {name}"
        key = (where, account, role)
        if key in seen:
            first = seen[key]
            yield Finding(f"{source}:{p.line}", f"profiles {first.name} and {p.name} both "
                          f"point at {account}/{role}", _duplicate_fix(first, p, model),
                          "duplicate")
        else:
            seen[key] = p


def _duplicate_fix(first: SectionInfo, second: SectionInfo, model: FileModel) -> str:
    """What removes one of two profiles for one account/role: a legacy profile beside the
    one ssogen generated for it moves to the session (then ssogen's copy is stale, and goes)
    when ``sync --migrate-legacy`` would migrate it; otherwise the user picks."""
    from ssogen.planning.legacy import is_legacy, legacy_matches

    pair = (first, second)
    legacy = [s for s in pair if is_legacy(s)]
    managed = [s for s in pair if s.managed and s.options.get("sso_session")]
    if len(legacy) == 1 and len(managed) == 1:
        name = managed[0].options["sso_session"]
        session = next((s for s in model.of_kind("sso-session") if s.name == name), None)
        ours = any(s.name == name for s in model.of_kind("ssogen"))  # sync knows it
        o, url = legacy[0].options, session.options.get("sso_start_url", "") if session else ""
        if session is not None and ours and legacy_matches(o["sso_start_url"], url) and (
                o["sso_region"].strip() == session.options.get("sso_region", "").strip()):
            return (f"ssogen sync {session.name} --migrate-legacy --prune (it moves the "
                    f"legacy profiles of that start URL, {legacy[0].name} among them, to "
                    f"[sso-session {session.name}] and removes the session's stale profiles, "
                    f"{managed[0].name} among them)")
    return "remove one (ssogen sync --prune removes a stale ssogen-managed one)"


def check_environment(model: FileModel, source: str) -> Iterator[Finding]:
    names = {p.name for p in _profiles(model)}
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        value = os.environ.get(var)
        if value and value not in names:
            yield Finding(var, f"names profile {value!r}, which is not in {source}",
                          f"unset {var}, or create that profile", "env-profile")


CONFIG_CHECKS: list[Callable[[FileModel, str], Iterator[Finding]]] = [
    check_session_references, check_shared_start_urls, check_legacy, check_duplicates,
    check_environment]


# -- the caches ------------------------------------------------------------------------------
def _sessions(snapshot: ConfigSnapshot, only: str | None) -> list[SsoSession]:
    """The sessions to check (an incomplete one is reported by the config checks)."""
    from ssogen.app.sessions import session_by_name, usable_sessions

    if only is not None and only not in {s.name for s in snapshot.model.of_kind("sso-session")}:
        return [session_by_name(snapshot, only)]  # a typo is no all-clear: the error (exit 2)
    return [s for s in usable_sessions(snapshot) if only is None or s.name == only]


def cache_findings(session: SsoSession, notes: list[str]) -> list[Finding]:
    from ssogen.store.tokens import load_registration, load_token, token_path, utcnow

    cached = load_token(session)
    fix = f"ssogen login {session.login_flag}"
    if cached is None:
        if _unreachable(token_path(session)) is not None:
            return []  # said once, as the cache folder's finding
        if os.path.lexists(token_path(session)) and not os.access(token_path(session),
                                                                  os.R_OK):
            from ssogen.store.access import access_hint

            return [Finding(session.label, f"the cached token {token_path(session)} cannot "
                            "be read", access_hint(token_path(session), "u+r"),
                            "token-unreadable")]
        return [Finding(session.label, "not logged in (no cached token)", fix, "token-missing")]
    now = utcnow()
    until = shown(cached.expires_at)
    if cached.expires_at > now:
        notes.append(f"{session.label}: logged in until {until}")
        return []
    refreshable = cached.refreshable(now)
    if refreshable:
        notes.append(f"{session.label}: the token expired at {until}; it is refreshed on "
                     "next use")
        out = []
    else:
        out = [Finding(session.label, f"the login expired at {until} and cannot be "
                       "refreshed", fix, "token-expired")]
    if load_registration(session) is None and not refreshable:
        notes.append(f"{session.label}: the client registration is missing or expires "
                     "within 15 minutes; the next login registers again")
    return out


def permission_findings() -> list[Finding]:
    from ssogen.store.access import owner_of
    from ssogen.store.tokens import cache_dir

    out = []
    directory = cache_dir()
    for path in [directory, Path(os.path.expanduser("~/.aws/cli/cache"))]:
        blocked = _unreachable(path)
        if blocked is not None:
            out.append(blocked)
            continue
        try:
            st = path.lstat()
        except OSError:
            continue
        owner = owner_of(path) if stat.S_ISDIR(st.st_mode) else None
        if owner is not None:  # chmod would fail: not the user's folder
            kept = "logins" if path == directory else "role credentials"
            out.append(Finding(str(path), f"the cache folder belongs to {owner} (left by an "
                               f"earlier sudo?): {kept} cannot be saved there",
                               f"sudo chown -R $USER {path}", "cache-owner"))
        elif stat.S_ISDIR(st.st_mode) and st.st_mode & 0o077:
            out.append(Finding(str(path), f"the cache folder is open to others "
                               f"({stat.S_IMODE(st.st_mode):04o})", f"chmod 700 {path}",
                               "cache-permissions"))
        if not stat.S_ISDIR(st.st_mode) or not os.access(path, os.R_OK | os.X_OK):
            continue
        for entry in sorted(path.iterdir()):
            if entry.suffix != ".json":
                continue
            est = entry.lstat()
            if stat.S_ISREG(est.st_mode) and est.st_mode & 0o077:
                out.append(Finding(str(entry), f"a token or credentials file is readable by "
                                   f"others ({stat.S_IMODE(est.st_mode):04o})",
                                   f"chmod 600 {entry}", "cache-permissions"))
    return out


def _unreachable(path: Path) -> Finding | None:
    """A folder on the way to ``path`` that this user cannot enter (e.g. ``~/.aws/sso`` left
    0700 by ``sudo aws sso login``): what is inside cannot even be seen."""
    from ssogen.store.access import access_hint

    home = Path(os.path.expanduser("~"))
    for folder in reversed(path.parents):
        if folder != home and home not in folder.parents:
            continue
        if os.path.isdir(folder) and not os.access(folder, os.R_OK | os.X_OK):
            return Finding(str(folder), "this user cannot look into the folder: what is "
                           f"cached in {path} cannot be read", access_hint(folder, "u+rx",
                                                                    recursive=True),
                           "cache-unreadable")
    return None


# -- online (a token valid as it is; never a login or a refresh) -----------------------------
def online_findings(session: SsoSession, snapshot: ConfigSnapshot, reporter: Reporter,
                    notes: list[str]) -> list[Finding]:
    from ssogen.aws.discovery import discover, portal_client
    from ssogen.store.tokens import load_token, utcnow

    cached = load_token(session)
    if cached is None or cached.expires_at <= utcnow():
        notes.append(f"{session.label}: online checks skipped (no valid token; doctor never "
                     "logs in)")
        return []
    out: list[Finding] = []
    client = portal_client(session, 8, snapshot.model)
    try:
        resp = client.list_accounts(accessToken=cached.access_token, maxResults=1)
        inventory = discover(session, access_token=cached.access_token, client=client,
                             progress=reporter.progress("checking"))
    except Exception as exc:
        reason = exc.message if isinstance(exc, SsogenError) else type(exc).__name__
        return [Finding(session.label, f"the portal did not answer ({reason})",
                        "check the network (or AWS_ENDPOINT_URL_SSO), then ssogen doctor",
                        "online")]
    skew = _skew(resp)
    if skew is not None and abs(skew) > MAX_SKEW_SECONDS:
        out.append(Finding("this machine's clock", f"is {abs(skew):.0f} s "
                           f"{'behind' if skew > 0 else 'ahead of'} the service's: tokens "
                           "look valid when they are not (or the reverse)",
                           "sync the clock (WSL2: `sudo hwclock -s`, or restart WSL)", "clock"))
    live = {(a.id, r) for a in inventory.accounts for r in a.roles}
    for p in snapshot.model.of_kind("profile"):
        o = p.options
        if p.managed and o.get("sso_session") == session.name and "role_arn" not in o and (
                (o.get("sso_account_id", ""), o.get("sso_role_name", "")) not in live):
            out.append(Finding(f"profile {p.name}", f"its role {o.get('sso_account_id')}/"
                               f"{o.get('sso_role_name')} is no longer assigned to you",
                               "ssogen sync --prune", "stale"))
    return out


def _skew(resp: dict[str, Any]) -> float | None:
    """Service time minus local time, from the answer's ``Date`` header (seconds)."""
    try:
        date = resp["ResponseMetadata"]["HTTPHeaders"]["date"]
        service = parsedate_to_datetime(date)
    except (KeyError, TypeError, ValueError):
        return None
    return (service - datetime.now(timezone.utc)).total_seconds()
