"""boto3 clients created the normal way -- so ``AWS_ENDPOINT_URL_SSO`` /
``AWS_ENDPOINT_URL_SSO_OIDC`` (and ``[services]`` sections) redirect them -- but from the config
ssogen already read: botocore is handed the snapshot's sections instead of parsing the file
again. A file botocore cannot read (a UTF-8 byte-order mark, which ssogen removes) therefore
never breaks a login, and the file is read once per run.

botocore private API, used here only: ``botocore.session.Session._config`` (the parsed config
``Session.full_config`` returns; botocore fills it from the file when it is None), and
``botocore.credentials.ConfigProvider._config_parser`` (how the credential provider for static
keys written in the config reads the file; the chain botocore builds anew for an assume-role
profile's source profile still reads it itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ssogen.errors import ConfigFileError

if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel

#: sections botocore's clients read (profiles with ``default``, sessions, services)
_CLIENT_KINDS = ("profile", "sso-session", "services")


def _nested(value: str) -> dict[str, str] | str:
    """botocore's ``_parse_nested``: a value starting with a line break is ``k = v`` lines."""
    if not value.startswith("\n"):
        return value
    parsed: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if line:
            key, _, val = line.partition("=")
            parsed[key.strip()] = val.strip()
    return parsed


def botocore_config(model: FileModel) -> dict[str, Any]:
    """The config as botocore's ``load_config`` builds it from the same file."""
    import botocore.configloader

    defaults: dict[str, str] = {}
    for s in model.sections:
        if s.header == "DEFAULT":
            defaults.update(model.values(s))
    raw: dict[str, dict[str, Any]] = {}
    for s in model.sections:
        if s.kind in _CLIENT_KINDS and s.header != "DEFAULT":
            values = {**defaults, **model.values(s)}  # [services]: read again, here only
            raw[s.header] = {k: _nested(v) for k, v in values.items()}
    return dict(botocore.configloader.build_profile_map(raw))


def botocore_session(model: FileModel | None) -> Any:
    """A botocore session that uses ``model`` as its config file (None: botocore's own)."""
    import botocore.configloader
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session()
    if model is None:
        return session
    config = botocore_config(model)
    try:  # the credentials file's profile names count, as in botocore's full_config
        creds = botocore.configloader.raw_config_parse(
            session.get_config_variable("credentials_file"))
    except (botocore.exceptions.ConfigNotFound, botocore.exceptions.ConfigParseError):
        creds = {}
    for profile, values in creds.items():
        config["profiles"].setdefault(profile, {}).update(values)
    session._config = config  # botocore private API (see the module docstring)
    return session


def feed_credential_chain(session: Any, model: FileModel | None, *,
                          region: str | None = None) -> None:
    """Give ``model`` to the credential chain of ``session`` (its profile already chosen):
    botocore's config-file provider (``aws_access_key_id`` in the config itself) parses
    ``config_file`` on its own instead of asking ``full_config``. The chain is built here as
    botocore builds it -- ``region``: the one its STS calls use, what botocore takes from the
    first client it creates -- and registered on the session. Nothing with ``model=None`` or
    a botocore without that provider."""
    if model is None:
        return
    import botocore.credentials
    import botocore.exceptions

    resolver = botocore.credentials.create_credential_resolver(session, region_name=region)
    try:
        provider = resolver.get_provider("config-file")
    except botocore.exceptions.UnknownCredentialError:
        return  # another botocore: its chain stays its own
    if hasattr(provider, "_config_parser"):
        config = botocore_config(model)
        provider._config_parser = lambda _path: config  # botocore private API (see above)
        session.register_component("credential_provider", resolver)


def client(service: str, model: FileModel | None, *, region: str, **config: Any) -> Any:
    """An unsigned client for ``service`` (``sso``, ``sso-oidc``) in ``region``."""
    import boto3
    import botocore.exceptions
    from botocore import UNSIGNED
    from botocore.config import Config

    try:
        core = botocore_session(model)
        _without_a_missing_profile(core)
        session = boto3.session.Session(botocore_session=core)
        return session.client(service, config=Config(signature_version=UNSIGNED,
                                                     region_name=region, **config))
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigFileError(f"cannot set up the {service} client: {exc}") from None


def _without_a_missing_profile(session: Any) -> None:
    """These clients serve a session (a start URL and a region), not a profile, but botocore
    reads the selected profile's settings (a CA bundle, endpoints) into every client and
    refuses to build one when ``AWS_PROFILE`` names a profile the config does not have --
    which ``ssogen doctor`` is there to report, and ``list``/``sync``/``login --session`` do
    not need: then the ``[default]`` profile's settings apply, as with no ``AWS_PROFILE``."""
    from botocore.configprovider import ConstantProvider

    name = session.get_config_variable("profile")
    if name and name not in session.full_config.get("profiles", {}):
        session.get_component("config_store").set_config_provider("profile",
                                                                  ConstantProvider(None))
