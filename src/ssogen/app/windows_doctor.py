"""``doctor``'s checks of the WSL2 Windows mirror (:mod:`ssogen.app.windows`), read-only like
every doctor check: for each session that remembers a Windows folder,

* ``windows-unreachable``: the folder cannot be written (drive not mounted, a symlink, not a
  folder, read-only);
* ``windows-config``: the Windows config cannot be read;
* ``windows-config-drift``: an account/role with a managed profile on one side and none on the
  other, or a different ``[sso-session]`` -- what ``sync`` fixes;
* ``windows-name-clash``: a managed profile's name means another account/role on Windows (a
  hand-written profile there holds it): what ``sync`` cannot fix. What ``sync`` keeps on
  purpose is a note: a managed profile renamed by hand, keys ssogen does not own (a
  ``region`` edited on Windows), a hand-written profile covering the role;
* ``windows-token-missing`` / ``windows-token-stale``: the Windows copy of the login is missing,
  or older than the Linux one (a newer one, refreshed on Windows, is a note: it is kept).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import ConfigFileError

if TYPE_CHECKING:
    from ssogen.app.doctor import Finding
    from ssogen.app.windows_target import Target
    from ssogen.inifile.model import FileModel
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot

Identity = tuple[str, str]  # (account id, role name): how the engine tells profiles apart


def findings(snapshot: ConfigSnapshot, sessions: list[SsoSession],
             notes: list[str]) -> list[Finding]:
    """Every finding about the Windows side of the sessions checked."""
    from ssogen.app.doctor import Finding
    from ssogen.app.windows_target import Target, problem_of
    from ssogen.app.windows_tokens import remembered_targets
    from ssogen.store.mirror import same_file

    checked = {s.name: s for s in sessions if not s.legacy}
    folders: dict[Path, list[str]] = {}
    for name, target in remembered_targets(snapshot).items():
        if name in checked and not same_file(target.config, snapshot.path):
            folders.setdefault(target.folder, []).append(name)
    out: list[Finding] = []
    for folder, names in folders.items():
        target = Target(folder)
        problem = problem_of(target)
        if problem is not None:
            out.append(Finding(str(problem.path), problem.text or problem.why,
                               problem.hint or "fix it, or ssogen setup --no-windows",
                               "windows-unreachable"))
            continue
        out += config_findings(snapshot, target, names, notes)
        for name in names:
            out += token_findings(checked[name], target, notes)
    return out


def _profiles(model: FileModel, session: str) -> tuple[dict[Identity, str], set[Identity]]:
    """The session's profiles: managed ones (account/role → name), and the account/roles
    hand-written ones already cover (``sync`` does not add a managed one beside those)."""
    managed: dict[Identity, str] = {}
    others: set[Identity] = set()
    for p in model.of_kind("profile"):
        o = p.options
        key = (o.get("sso_account_id", ""), o.get("sso_role_name", ""))
        if p.name and o.get("sso_session") == session and all(key):
            if p.managed:
                managed[key] = p.name
            else:
                others.add(key)
    return managed, others


def _session(model: FileModel, session: str) -> tuple[str, str] | None:
    for s in model.of_kind("sso-session"):
        if s.name == session:
            return (s.options.get("sso_start_url", "").strip(),
                    s.options.get("sso_region", "").strip())
    return None


def drift(linux: FileModel, windows: FileModel, session: str) -> tuple[list[str], list[str]]:
    """(differences ``sync`` fixes, differences it keeps on purpose) between the two files'
    profiles of ``session``, in words. Compared as the engine identifies a profile: by account
    and role; a managed profile renamed by hand keeps its name (a note, not a problem)."""
    mine, _ = _profiles(linux, session)
    theirs, covered = _profiles(windows, session)
    problems = []
    if _session(linux, session) != _session(windows, session):
        problems.append(f"[sso-session {session}] is missing or different there")
    for label, names in (
            ("missing there", [n for k, n in mine.items() if k not in theirs and k not in covered]),
            ("only there", [n for k, n in theirs.items() if k not in mine])):
        if names:
            problems.append(f"{len(names)} profile{'' if len(names) == 1 else 's'} {label} "
                            f"({_names(names)})")
    renamed = [f"{n} ({mine[k]} here)" for k, n in theirs.items() if k in mine and n != mine[k]]
    return problems, [f"named differently there: {_names(renamed)}"] if renamed else []


def name_clashes(linux: FileModel, windows: FileModel, session: str) -> list[str]:
    """The session's managed names that mean another account/role in the Windows file (a
    hand-written profile there holds the name): ``--profile NAME`` in PowerShell would reach
    something else than in WSL. ``sync`` cannot fix that: it never takes the user's name."""
    mine, _ = _profiles(linux, session)
    there = {p.name: (p.options.get("sso_account_id", "").strip(),
                      p.options.get("sso_role_name", "").strip())
             for p in windows.of_kind("profile") if p.name and not p.managed}
    return sorted(n for k, n in mine.items() if n in there and there[n] != k)


def _names(names: list[str]) -> str:
    names = sorted(names)
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def config_findings(snapshot: ConfigSnapshot, target: Target, names: list[str],
                    notes: list[str]) -> list[Finding]:
    from ssogen.app.doctor import Finding, refusal_findings
    from ssogen.store.snapshot import ConfigSnapshot

    try:
        windows = ConfigSnapshot.read(target.config)
        model = windows.model
    except ConfigFileError as exc:
        return refusal_findings(exc, target.config, "edit that line (the AWS CLI on Windows "
                                 "cannot read the file either), then ssogen sync",
                                 "windows-config", "fix it, then ssogen sync")
    out = []
    for name in names:
        problems, kept = drift(snapshot.model, model, name)
        notes += [f"session {name}: Windows config: {k}" for k in kept]
        if problems:
            state = "" if windows.raw is not None else " (the file does not exist)"
            out.append(Finding(str(target.config), f"the Windows config is out of date for "
                               f"session {name}{state}: {'; '.join(problems)}", "ssogen sync",
                               "windows-config-drift"))
        clashes = name_clashes(snapshot.model, model, name)
        if clashes:
            many = len(clashes) > 1
            out.append(Finding(str(target.config), f"session {name}: profile name"
                               f"{'s' if many else ''} {_names(clashes)} mean{'' if many else 's'}"
                               " another account/role in the Windows config (a profile of "
                               "yours there holds the name)", "rename or remove that profile "
                               "in the Windows config, then ssogen sync", "windows-name-clash"))
    return out


def token_findings(session: SsoSession, target: Target, notes: list[str]) -> list[Finding]:
    from ssogen.app.doctor import Finding
    from ssogen.store.mirror import cache_folder, expires_at, read_cache_file
    from ssogen.store.tokens import token_path

    mine = read_cache_file(token_path(session))
    if mine is None:
        return []  # not logged in: the cache checks say so
    path = cache_folder(target.folder) / token_path(session).name
    theirs = read_cache_file(path)
    fix = f"ssogen login {session.login_flag} (copies the login to Windows)"
    if theirs is None:
        return [Finding(str(path), f"{session.label}: no Windows copy of the login (`aws` in "
                        "PowerShell would ask you to log in)", fix, "windows-token-missing")]
    if theirs == mine:
        notes.append(f"{session.label}: the Windows copy of the login is up to date")
        return []
    mine_at, theirs_at = expires_at(mine), expires_at(theirs)
    if mine_at and theirs_at and theirs_at > mine_at:
        notes.append(f"{session.label}: the Windows login is newer than this one (refreshed "
                     "on Windows); ssogen keeps it")
        return []
    return [Finding(str(path), f"{session.label}: the Windows copy of the login is older than "
                    f"this one (expires {theirs_at or 'unreadable'}, this one {mine_at})", fix,
                    "windows-token-stale")]
