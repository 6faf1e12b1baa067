"""``setup``: choose a session, its accounts and roles, and write their profiles.

1. accounts and roles: a saved inventory (offline), else the session (reused or new, asked
   through :class:`~ssogen.app.ports.Questions`), a login and discovery;
2. the settings: flags over what a previous run remembered over the defaults, then the
   wizard's questions (with ``--yes`` their defaults);
3. adoption and legacy migration, only with consent; then the plan, confirmed, written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import UsageError

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult, Mode
    from ssogen.app.ports import Answers, Questions, Reporter
    from ssogen.model.chain import ChainSpec
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot


@dataclass(frozen=True)
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
    chains: tuple[ChainSpec, ...] | None = None  # --chain (None: keep; (): --no-chain)
    adopt: bool = False
    migrate_legacy: bool = False
    dry_run: bool = False
    no_browser: bool = False

    def answers(self) -> Answers:
        from ssogen.app.ports import Answers

        return Answers(start_url=self.start_url, sso_region=self.sso_region,
                       session=self.session, region=self.region, output=self.output,
                       name_template=self.name_template, include=list(self.include or []),
                       exclude=list(self.exclude or []))


@dataclass
class SetupOutcome:
    result: GenerationResult
    offline: bool  # from a saved inventory: nobody logged in


def run(request: SetupRequest, reporter: Reporter, questions: Questions) -> SetupOutcome:
    from ssogen.app.generate import generate, managed_settings
    from ssogen.store.inventories import load_inventory
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    session_name = request.session
    if request.inventory is not None:
        inventory = load_inventory(request.inventory)
    else:
        session_name, inventory = discover_online(request, snapshot, reporter, questions)
    settings = settings_source(request, snapshot, inventory, session_name)
    # the wizard's questions; with --yes their defaults, online and offline alike (as
    # `aws configure sso`: region = the SSO region, output = json), except for a session set up
    # before: --yes keeps what it remembered (no silent default change in existing profiles)
    answers = request.answers()
    answers.remembered = any(s.session == settings.session for s in managed_settings(snapshot))
    settings = questions.ask_profiles(settings, inventory, answers)
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
    return SetupOutcome(result, offline=request.inventory is not None)


def check_filters(settings: Settings, inventory: Inventory, reporter: Reporter) -> None:
    """An --include that matches nothing is said (one line each); filters that leave nothing
    at all to generate are refused (exit 2) rather than writing an empty session."""
    from ssogen.planning.naming import unmatched_includes, wanted_pairs

    for pattern in unmatched_includes(settings, inventory):
        reporter.warn(f"--include {pattern!r} matches no account or role")
    if (settings.include or settings.exclude) and inventory.role_count \
            and not wanted_pairs(settings, inventory):
        flags = " ".join([*(f"--include {p!r}" for p in settings.include),
                          *(f"--exclude {p!r}" for p in settings.exclude)])
        raise UsageError(f"{flags} leave no account or role to generate a profile for "
                         "(see `ssogen list`); nothing written")


def discover_online(request: SetupRequest, snapshot: ConfigSnapshot, reporter: Reporter,
                    questions: Questions) -> tuple[str, Inventory]:
    """Pick or create the session (wizard, or flags with --yes), log in (device code only
    when no cached token can be used or refreshed), discover: (session name, inventory)."""
    from ssogen.app import online
    from ssogen.app.sessions import known_identities, login_session

    choice = questions.ask_session(known_identities(snapshot), request.answers())
    check_chains(request.chains, choice.session, choice.sso_region)  # before the login
    session = login_session(snapshot, choice.session, choice.start_url, choice.sso_region)
    inventory = online.login_and_discover(session, snapshot, reporter,
                                          no_browser=request.no_browser)
    return choice.session, inventory


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
    if request.chains is not None:
        settings.chains = list(request.chains)
    return settings


def check_chains(chains: tuple[ChainSpec, ...] | None, session: str, sso_region: str) -> None:
    """Each --chain rendered for a sample profile of the session (its partition when the SSO
    region is known): a bad one fails before any login (exit 2, one line)."""
    if not chains:
        return
    from ssogen.model.settings import Settings
    from ssogen.planning.chains import check_spec

    probe = Settings(session=session, start_url="", sso_region=sso_region)
    for spec in chains:
        check_spec(spec, probe)
