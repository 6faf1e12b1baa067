"""``setup``: choose a session, its accounts and roles, and write their profiles.

1. accounts and roles: a saved inventory (offline), else the session (reused or new, asked
   through :class:`~ssogen.app.ports.Questions`), a login and discovery;
2. the settings: flags over what a previous run remembered over the defaults, then the
   wizard's questions (with ``--yes`` their defaults);
3. adoption and legacy migration, only with consent; then the plan, confirmed (on a
   :class:`WriteSummary`: what changes, by kind and name, and every warning), written.

The outcome says what the run wrote besides the config -- a login or a client registration
in the token cache -- so that "declined" or a failed login never claims "nothing written"
after a cache file was written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import LoginError, UsageError
from ssogen.records import field, record, replace

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult, Mode
    from ssogen.app.ports import Answers, Questions, Reporter
    from ssogen.model.chain import ChainSpec
    from ssogen.model.inventory import Inventory
    from ssogen.model.session import SsoSession
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot


@record(frozen=True)
class SetupRequest:
    config: Path
    inventory: Path | None = None
    start_url: str | None = None
    sso_region: str | None = None
    session: str | None = None
    region: str | None = None
    output: str | None = None
    name_template: str | None = None
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    profile_keys: tuple[tuple[str, str], ...] | None = None  # --profile-template, in order
    account_regions: tuple[tuple[str, str], ...] | None = None  # --account-region, in order
    chains: tuple[ChainSpec, ...] | None = None  # --chain (None: keep; (): --no-chain)
    adopt: bool = False
    migrate_legacy: bool = False
    dry_run: bool = False
    no_browser: bool = False
    windows: str | None = None  # WSL2: "auto" (--windows), a folder, "off" (--no-windows)

    def answers(self) -> Answers:
        from ssogen.app.ports import Answers

        return Answers(start_url=self.start_url, sso_region=self.sso_region,
                       session=self.session, region=self.region, output=self.output,
                       name_template=self.name_template, include=list(self.include or []),
                       exclude=list(self.exclude or []),
                       account_regions=None if self.account_regions is None
                       else dict(self.account_regions))


@record
class SetupOutcome:
    result: GenerationResult
    offline: bool  # from a saved inventory: nobody logged in
    declined: bool = False  # the changes were shown and the answer was no: nothing written
    session: str = ""
    cached: tuple[str, ...] = ()  # written to the token cache: "login", "client registration"


def run(request: SetupRequest, reporter: Reporter, questions: Questions) -> SetupOutcome:
    from ssogen.app.generate import check_writable, generate, managed_settings
    from ssogen.app.windows import SetupMirror
    from ssogen.app.windows_config import Options
    from ssogen.store.inventories import load_inventory
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    if not request.dry_run:  # said now, not after the login and the questions
        check_writable(request.config)
    windows = SetupMirror.start(request.windows, snapshot, reporter)  # --windows: checked now
    session_name = request.session
    cached: tuple[str, ...] = ()
    if request.inventory is not None:
        inventory = load_inventory(request.inventory)
    else:
        session_name, inventory, cached = discover_online(request, snapshot, reporter,
                                                          questions)
    settings = settings_source(request, snapshot, inventory, session_name)
    # the wizard's questions; with --yes their defaults, online and offline alike (as
    # `aws configure sso`: region = the SSO region, output = json), except for a session set up
    # before: --yes keeps what it remembered (no silent default change in existing profiles)
    answers = request.answers()
    answers.remembered = any(s.session == settings.session for s in managed_settings(snapshot))
    settings = questions.ask_profiles(settings, inventory, answers)
    settings = windows.choose(settings, inventory, questions)
    check_filters(settings, inventory, reporter)
    mode: Mode = "dry-run" if request.dry_run else "write"
    adopt, migrate = request.adopt, request.migrate_legacy
    if questions.interactive and not (adopt and migrate):
        probe = generate(request.config, settings, inventory, mode="dry-run", adopt=True,
                         migrate=True, snapshot=snapshot)
        if not migrate:
            migrate = questions.ask_migrate(
                [p.name for p in probe.plan.profiles if p.action == "migrate"],
                settings.start_url, probe.plan.session)
        if not adopt:
            adopt = questions.ask_adopt(
                [p.name for p in probe.plan.profiles if p.action == "adopt"])
    confirm = questions.confirm if questions.interactive and mode == "write" else None
    result = generate(request.config, settings, inventory, mode=mode, adopt=adopt,
                      migrate=migrate, confirm=confirm, snapshot=snapshot, reporter=reporter)
    windows.finish(result, settings, inventory, mode, Options(adopt=request.adopt,
                                                              migrate=request.migrate_legacy))
    declined = confirm is not None and result.changed and not result.written
    return SetupOutcome(result, offline=request.inventory is not None, declined=declined,
                        session=result.plan.session, cached=cached)


def check_filters(settings: Settings, inventory: Inventory, reporter: Reporter) -> None:
    """An --include or --account-region that matches nothing is said (one line each); filters
    that leave nothing at all to generate are refused (exit 2) rather than writing an empty
    session."""
    from ssogen.model.settings import account_region
    from ssogen.planning.naming import unmatched_includes, wanted_pairs

    for pattern in unmatched_includes(settings, inventory):
        reporter.warn(f"--include {pattern!r} matches no account or role")
    for pattern, region in settings.account_regions.items():
        if not any(account_region({pattern: region}, a.id, a.name) for a in inventory.accounts):
            reporter.warn(f"--account-region {pattern}={region}: {pattern!r} matches no "
                          "account (an account id, or a glob on the account name)")
    if (settings.include or settings.exclude) and inventory.role_count \
            and not wanted_pairs(settings, inventory):
        given = [*(f"--include {p!r}" for p in settings.include),
                 *(f"--exclude {p!r}" for p in settings.exclude)]
        verb = "leaves" if len(given) == 1 else "leave"
        raise UsageError(f"{' '.join(given)} {verb} no account or role to generate a profile for "
                         "(see `ssogen list`); nothing written")


def discover_online(request: SetupRequest, snapshot: ConfigSnapshot, reporter: Reporter,
                    questions: Questions) -> tuple[str, Inventory, tuple[str, ...]]:
    """Pick or create the session (wizard, or flags with --yes), log in (device code only
    when no cached token can be used or refreshed), discover: (session name, inventory, what
    the login wrote to the token cache). A failed login names `ssogen setup` as the next
    step: the session is not in the config yet, so `ssogen login` could not find it."""
    from ssogen.app import online
    from ssogen.app.sessions import known_identities, login_session

    choice = questions.ask_session(known_identities(snapshot), request.answers())
    check_chains(request.chains, choice.session, choice.sso_region)  # before the login
    session = login_session(snapshot, choice.session, choice.start_url, choice.sso_region)
    before = _cache_state(session)
    try:
        inventory = online.login_and_discover(session, snapshot, reporter,
                                              no_browser=request.no_browser)
    except LoginError as exc:
        raise _setup_again(exc, request.config, _written(session, before)) from None
    return choice.session, inventory, _written(session, before)


def _cache_state(session: SsoSession) -> dict[str, int | None]:
    from ssogen.store.tokens import registration_path, token_path

    state: dict[str, int | None] = {}
    for what, path in (("login", token_path(session)),
                       ("client registration", registration_path(session))):
        try:
            state[what] = path.stat().st_mtime_ns
        except OSError:
            state[what] = None
    return state


def _written(session: SsoSession, before: dict[str, int | None]) -> tuple[str, ...]:
    after = _cache_state(session)
    return tuple(what for what in before if after[what] is not None
                 and after[what] != before[what])


def _setup_again(exc: LoginError, config: Path, cached: tuple[str, ...]) -> LoginError:
    message = exc.message.replace("`ssogen login` again", "`ssogen setup` again")
    if "`ssogen setup`" not in message:
        message += "; run `ssogen setup` again"
    verb = "stays" if len(cached) == 1 else "stay"
    kept = f"; the {' and the '.join(cached)} {verb} cached" if cached else ""
    return LoginError(message, hint=f"{config} is untouched{kept}")


def settings_source(request: SetupRequest, snapshot: ConfigSnapshot, inventory: Inventory,
                    session_name: str | None) -> Settings:
    """Flags, over what a previous run remembered for this session, over the defaults."""
    from ssogen.app.generate import managed_settings
    from ssogen.model.settings import Settings
    from ssogen.model.starturl import same_start_url
    from ssogen.model.validate import check_session_name
    from ssogen.planning.naming import resolve_template

    if request.start_url and not same_start_url(request.start_url, inventory.start_url):
        raise UsageError(f"--start-url {request.start_url} does not match the inventory's "
                         f"start URL {inventory.start_url}")
    if request.sso_region and request.sso_region != inventory.sso_region:
        raise UsageError(f"--sso-region {request.sso_region} does not match the inventory's "
                         f"sso_region {inventory.sso_region}")
    session = check_session_name(session_name) if session_name else inventory.session
    remembered = managed_settings(snapshot)
    previous = next((s for s in remembered if s.session == session), None) or next(
        (s for s in remembered if same_start_url(s.start_url, inventory.start_url)), None)
    base = previous or Settings(session=session, start_url=inventory.start_url,
                                sso_region=inventory.sso_region)
    settings = replace(base, start_url=inventory.start_url, sso_region=inventory.sso_region)
    if request.region:
        settings.region = request.region
    if request.output:
        settings.output = request.output
    if request.name_template:
        resolve_template(request.name_template)
        settings.name_template = request.name_template
    if request.include is not None:
        settings.include = list(request.include)
    if request.exclude is not None:
        settings.exclude = list(request.exclude)
    if request.profile_keys is not None:
        settings.profile_keys = dict(request.profile_keys)
    if request.account_regions is not None:
        settings.account_regions = dict(request.account_regions)
    if request.chains is not None:
        settings.chains = list(request.chains)
    return settings


# ---------------------------------------------------------------------------------------------
# what the confirmation shows
# ---------------------------------------------------------------------------------------------
#: the kinds of change, as the summary names them (:data:`ssogen.planning.plan.CHANGE_GROUPS`)
CHANGE_VERBS = {"created": "create", "renamed": "rename", "updated": "update",
                "adopted": "adopt", "migrated": "migrate", "stale": "stale",
                "removed": "remove"}


@record(frozen=True)
class Change:
    kind: str  # create | rename | update | adopt | migrate | stale | remove
    names: tuple[str, ...]  # every profile it touches, sorted; a rename as "old → new"


@record(frozen=True)
class WriteSummary:
    """What a write would change, for the last question: short enough for one screen."""

    session: str
    config: str
    new_session: tuple[str, str] | None  # a new [sso-session]: (start URL, sso_region)
    changes: tuple[Change, ...]
    regions: tuple[tuple[str, int], ...]  # region of the new profiles, most used first
    backup: str | None  # where the current file is kept (None: there is none yet)
    warnings: tuple[str, ...] = field(default=())


def write_summary(result: GenerationResult, earlier: Sequence[str] = ()) -> WriteSummary:
    """The summary of ``result`` (one session); ``earlier``: warnings said before the plan,
    repeated with the plan's own."""
    from collections import Counter

    from ssogen.app.generate import BACKUP_SUFFIX
    from ssogen.store.fileio import resolve_target

    plan = result.plan
    changes = []
    for group, entries in plan.changes().items():
        if entries:
            names = tuple(f"{e.old_name} → {e.name}" if group == "renamed" else e.name
                          for e in entries)
            changes.append(Change(CHANGE_VERBS[group], names))
    new_session = None
    used: Counter[str] = Counter()
    for section in plan.new_sections:
        keys = dict(section.keys)
        if section.header == f"sso-session {plan.session}":
            new_session = (keys.get("sso_start_url", ""), keys.get("sso_region", ""))
        elif section.header.startswith("profile "):
            used[keys.get("region") or ""] += 1
    target = resolve_target(result.path)
    backup = target + BACKUP_SUFFIX if os.path.exists(target) else None
    warnings = tuple(dict.fromkeys([*earlier, *result.notes]))
    return WriteSummary(plan.session, result.path, new_session, tuple(changes),
                        tuple(used.most_common()), backup, warnings)


def check_chains(chains: tuple[ChainSpec, ...] | None, session: str, sso_region: str) -> None:
    """Each --chain rendered for a sample profile of the session (its partition when the SSO
    region is known): a bad one fails before any login (exit 2, one line)."""
    if not chains:
        return
    from ssogen.model.settings import Settings
    from ssogen.planning.chain_specs import check_spec

    probe = Settings(session=session, start_url="", sso_region=sso_region)
    for spec in chains:
        check_spec(spec, probe)
