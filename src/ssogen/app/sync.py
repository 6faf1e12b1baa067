"""``sync``: regenerate the ssogen-managed sessions with the settings remembered in
``[ssogen NAME]``, no questions asked.

1. which sessions (all, or those named), each with its remembered settings;
2. where each session's accounts and roles come from: a saved inventory (``--inventory``,
   matched by session name or start URL), else the portal (the cached token, refreshed if it
   can be; a login only when neither works, never with ``--no-login``: exit 4);
3. every session is planned before anything is written: a session whose login or discovery
   fails leaves the file with none of the others' changes either;
4. on WSL2, sessions that remember a Windows folder (``windows_mirror``) get the same
   profiles in the Windows config and their login copied there (:mod:`ssogen.app.windows`),
   unless ``--no-windows``.
"""

from __future__ import annotations

from ssogen.errors import UsageError
from ssogen.records import record, replace

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult, Mode
    from ssogen.app.ports import Reporter
    from ssogen.app.windows import SyncMirror
    from ssogen.model.chain import ChainSpec
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot


@record(frozen=True)
class SyncRequest:
    config: str  # paths as given: os.path, not pathlib (see ssogen.store.fileio)
    sessions: tuple[str, ...] = ()
    inventories: tuple[str, ...] = ()
    mode: Mode = "write"
    prune: bool = False
    adopt: bool = False
    migrate_legacy: bool = False
    allow_login: bool = True
    no_browser: bool = False
    windows: bool = True  # False: --no-windows (leave the WSL2 Windows copy alone this once)
    chains: tuple[ChainSpec, ...] | None = None  # --chain (None: keep; (): --no-chain)


def run(request: SyncRequest, reporter: Reporter) -> list[GenerationResult]:
    from ssogen.app.generate import generate_all
    from ssogen.store.inventories import load_inventory
    from ssogen.store.snapshot import ConfigSnapshot

    inventories = [load_inventory(p) for p in request.inventories]
    snapshot = ConfigSnapshot.read(request.config)
    chosen = with_chains(request, targets(request, snapshot, inventories))
    for settings in chosen:  # a broken remembered template fails before any login
        check_template(request.config, settings, snapshot)
    if request.mode == "write":  # a file it cannot write: said before the login
        _warn_unwritable(request.config, reporter)
    windows = _windows_side(snapshot, chosen, reporter, request.windows)
    work = []
    for settings in chosen:
        inventory = inventory_for(request, snapshot, settings, inventories, reporter)
        work.append((complete_settings(settings, inventory), inventory))
    for settings, inventory in work:
        warn_unmatched(settings, inventory, reporter)
    results = generate_all(request.config, work, mode=request.mode, prune=request.prune,
                           adopt=request.adopt, migrate=request.migrate_legacy,
                           snapshot=snapshot, reporter=reporter)
    if windows is not None:
        from ssogen.app.windows_config import Options

        windows.finish(results, work, request.mode, Options(request.prune, request.adopt,
                                                            request.migrate_legacy))
    return results


def _warn_unwritable(config: str, reporter: Reporter) -> None:
    """What would block the write, said first (before a login and the discovery); not an
    error yet: a file that is up to date needs no write (a config made read-only on purpose,
    synced from cron), and a change is refused at the end with the same words."""
    from ssogen.app.generate import write_obstacle

    obstacle = write_obstacle(config)
    if obstacle is not None:
        reporter.warn(f"{obstacle[0]}; a change this sync finds cannot be written")


def _windows_side(snapshot: ConfigSnapshot, chosen: list[Settings], reporter: Reporter,
                  enabled: bool) -> SyncMirror | None:
    """The Windows side of sync; None (and nothing of the mirror imported) when no session
    of the file remembers a Windows folder."""
    from ssogen.app.generate import managed_settings
    from ssogen.model.windows import is_folder

    if not any(is_folder(s.windows_mirror) for s in managed_settings(snapshot)):
        return None
    from ssogen.app.windows import SyncMirror

    return SyncMirror.start(snapshot, chosen, reporter, enabled=enabled)


def _matches(settings: Settings, inventory: Inventory) -> bool:
    from ssogen.model.starturl import same_start_url

    return inventory.session == settings.session or (
        bool(settings.start_url) and same_start_url(inventory.start_url, settings.start_url))


def targets(request: SyncRequest, snapshot: ConfigSnapshot,
            inventories: list[Inventory]) -> list[Settings]:
    from ssogen.app.generate import managed_settings

    remembered = managed_settings(snapshot)
    if not remembered:
        if snapshot.raw is None:  # the words login and list use for it
            raise UsageError(f"{request.config}: config file not found",
                             hint="run `ssogen setup` to create it")
        raise UsageError(f"{request.config}: no session set up by ssogen yet (no [ssogen NAME] "
                         "section)", hint="run `ssogen setup` first: it asks for the start "
                         "URL, or reuses an [sso-session] of this file")
    known = {s.session: s for s in remembered}
    if request.sessions:
        unknown = [n for n in request.sessions if n not in known]
        if unknown:
            raise UsageError(f"not an ssogen-managed session in {request.config}: "
                             f"{', '.join(unknown)} (managed: {', '.join(sorted(known))})")
        chosen = [known[n] for n in dict.fromkeys(request.sessions)]
    elif inventories:
        chosen = [s for s in remembered if any(_matches(s, i) for i in inventories)]
    else:
        chosen = remembered
    for inv in inventories:
        if not any(_matches(s, inv) for s in chosen):
            raise UsageError(
                f"inventory for session {inv.session!r} ({inv.start_url}) matches no "
                f"ssogen-managed session {'named ' if request.sessions else ''}in "
                f"{request.config} (managed: {', '.join(sorted(known))}); use "
                "`ssogen setup --inventory` first")
    return chosen


def with_chains(request: SyncRequest, chosen: list[Settings]) -> list[Settings]:
    """``--chain``/``--no-chain`` set the chains of the one session synced."""
    if request.chains is None:
        return chosen
    if len(chosen) != 1:
        flag = "--chain" if request.chains else "--no-chain"
        raise UsageError(f"{flag} sets the chained profiles of one session, and this sync "
                         f"covers {len(chosen)} ({', '.join(s.session for s in chosen)}); "
                         f"name it: ssogen sync SESSION {flag} ...")
    settings = replace(chosen[0], chains=list(request.chains))
    from ssogen.planning.chain_specs import check_spec

    for spec in settings.chains:  # named as the flag; remembered ones by their section
        check_spec(spec, settings)
    return [settings]


def check_template(config: str, settings: Settings, snapshot: ConfigSnapshot) -> None:
    """A remembered template or chain that cannot render fails here, naming where it is
    remembered (``file:line``) and how to replace it (before any login)."""
    from ssogen.model.settings import settings_section_name
    from ssogen.planning.naming import resolve_template

    header = settings_section_name(settings.session)
    line = next((s.line for s in snapshot.model.sections if s.header == header), 0)
    where = f"{config}:{line}: [{header}]" if line else f"{config}: [{header}]"
    try:
        resolve_template(settings.name_template)
    except UsageError as exc:
        raise UsageError(
            f"{where} name_template: {exc.message}",
            hint=exc.hint or (f"fix the line there, or choose another with `ssogen setup "
                              f"--session {settings.session} --name-template PRESET`")) from None
    if not settings.chains:
        return
    from ssogen.planning.chain_specs import check_spec

    for spec in settings.chains:
        try:
            check_spec(spec, settings)
        except UsageError as exc:
            raise UsageError(f"{where} chains: {exc.message}",
                             hint=exc.hint or "fix the line there, or replace them with "
                             f"`ssogen sync {settings.session} --chain ...` / --no-chain"
                             ) from None


def inventory_for(request: SyncRequest, snapshot: ConfigSnapshot, settings: Settings,
                  inventories: list[Inventory], reporter: Reporter) -> Inventory:
    for inv in inventories:
        if _matches(settings, inv):
            return inv
    from ssogen.app import online
    from ssogen.app.sessions import login_session

    if not settings.start_url or not settings.sso_region:
        raise UsageError(f"{request.config}: [sso-session {settings.session}] is missing (or "
                         "has no sso_start_url/sso_region); run `ssogen setup` again")
    session = login_session(snapshot, settings.session, settings.start_url,
                            settings.sso_region)
    return online.login_and_discover(session, snapshot, reporter,
                                     allow_login=request.allow_login,
                                     no_browser=request.no_browser)


def warn_unmatched(settings: Settings, inventory: Inventory, reporter: Reporter) -> None:
    """A remembered include glob that matches nothing any more: said, not refused (roles can
    legitimately vanish; their profiles are then stale as usual)."""
    from ssogen.planning.naming import unmatched_includes

    for pattern in unmatched_includes(settings, inventory):
        reporter.warn(f"--include {pattern!r} (remembered for session {settings.session}) "
                      "matches no account or role")


def complete_settings(settings: Settings, inventory: Inventory) -> Settings:
    """Fill what the file no longer says (e.g. a deleted [sso-session]) from the inventory."""
    return replace(settings, start_url=settings.start_url or inventory.start_url,
                   sso_region=settings.sso_region or inventory.sso_region)
