"""``--chain SPEC``: a role to assume from generated SSO profiles, as data. The syntax and its
checks live here; the templates in it are rendered by :mod:`ssogen.planning.chains`.

::

    SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE][;role_session_name=NAME][;duration_seconds=N]

* ``SOURCE_GLOB``: a case-insensitive glob on the names of the generated SSO profiles (as
  ``--include``); each profile it matches gets one chained profile;
* ``ROLE_ARN``: ``arn:<partition>:iam::<12 digits>:role/[<path>/]<name>``; it may contain
  ``{{ ... }}`` over the source profile's variables (``{{ account_id }}``: the same account);
* ``NAME_TEMPLATE`` (after the ARN's sixth colon): the chained profile's name, a Jinja2
  template like ``--name-template``'s (default :data:`DEFAULT_CHAIN_TEMPLATE`);
* ``;role_session_name=NAME`` and ``;duration_seconds=N``: written into the profile as they
  are (botocore's own keys, so what you read in the file is what you typed).

Colons and semicolons inside ``{{ }}`` / ``{% %}`` do not split. Pure: no rendering, no I/O.
"""

from __future__ import annotations

import re

from ssogen.model.validate import has_control
from ssogen.records import record

#: The chained profile's name when the spec gives no template: the source profile's name, then
#: the role it assumes (``prod-administrator-access-to-deploy``).
DEFAULT_CHAIN_TEMPLATE = "{{ source }}-to-{{ target_role | kebab }}"
MAX_SPEC_LENGTH = 2000
#: STS: a role assumed with role credentials (SSO's are) lives at most one hour
MIN_DURATION, MAX_DURATION = 900, 3600
OPTIONS = ("role_session_name", "duration_seconds")
SYNTAX = "SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE][;role_session_name=NAME][;duration_seconds=N]"
ARN_SHAPE = "arn:<partition>:iam::<12 digits>:role/[<path>/]<name>"

_NAME_CHARS = r"[A-Za-z0-9_+=,.@-]"
ROLE_ARN_RE = re.compile(rf"arn:(aws(?:-[a-z]+)*):iam::([0-9]{{12}}):role/"
                         rf"((?:{_NAME_CHARS}+/)*)({_NAME_CHARS}{{1,64}})")
#: STS ``RoleSessionName`` (not an ``[sso-session]`` name: that rule is in validate)
_ROLE_SESSION_NAME_RE = re.compile(rf"{_NAME_CHARS}{{2,64}}")
_OPEN, _CLOSE = ("{{", "{%"), ("}}", "%}")
_TEMPLATE_BLOCK = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_LITERAL_PARTITION = re.compile(r"[a-z-]*")
_LITERAL_ROLE = re.compile(rf"role/(?:{_NAME_CHARS}|/)*")


@record(frozen=True)
class RoleArn:
    partition: str
    account_id: str
    path: str  # "" or "a/b/"
    name: str


@record(frozen=True)
class ChainSpec:
    source_glob: str
    role_arn: str  # may contain {{ }}
    name_template: str = ""  # "" = DEFAULT_CHAIN_TEMPLATE
    role_session_name: str | None = None
    duration_seconds: int | None = None

    @property
    def template(self) -> str:
        return self.name_template or DEFAULT_CHAIN_TEMPLATE

    @property
    def text(self) -> str:
        """The spec as it is remembered (parses back to an equal spec)."""
        out = f"{self.source_glob}={self.role_arn}"
        if self.name_template:
            out += f":{self.name_template}"
        if self.role_session_name is not None:
            out += f";role_session_name={self.role_session_name}"
        if self.duration_seconds is not None:
            out += f";duration_seconds={self.duration_seconds}"
        return out


def has_template(text: str) -> bool:
    return any(m in text for m in _OPEN)


def split_outside_templates(text: str, sep: str, maxsplit: int = -1) -> list[str]:
    """``text.split(sep, maxsplit)``, except inside ``{{ }}`` and ``{% %}``."""
    parts: list[str] = []
    start, i, inside = 0, 0, False
    while i < len(text):
        pair = text[i:i + 2]
        if pair in (_CLOSE if inside else _OPEN):
            inside = not inside
            i += 2
            continue
        if not inside and text[i] == sep and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append(text[start:i])
            start = i + 1
        i += 1
    return [*parts, text[start:]]


def parse_role_arn(arn: str) -> RoleArn | None:
    m = ROLE_ARN_RE.fullmatch(arn)
    return None if m is None else RoleArn(*m.groups())


def role_arn_problem(arn: str, partition: str | None = None) -> str | None:
    """Why ``arn`` (rendered) cannot be a role to assume from a session in ``partition``."""
    parsed = parse_role_arn(arn)
    if parsed is None:
        return f"the role ARN {arn[:200]!r} is not {ARN_SHAPE}"
    if len(parsed.path) > 512:
        return "the role ARN's path is longer than 512 characters"
    if partition is not None and parsed.partition != partition:
        return (f"the role ARN is in partition {parsed.partition}, the session in "
                f"{partition}: a role is assumed within its own partition")
    return None


def _arn_template_problem(arn: str) -> str | None:
    """A templated ARN: the fixed parts only (it is checked again once rendered)."""
    if not has_template(arn):
        return role_arn_problem(arn)
    fields = split_outside_templates(arn, ":")
    if len(fields) != 6 or fields[0] != "arn" or fields[2] != "iam" or fields[3] \
            or not fields[5].startswith("role/"):
        return f"the role ARN {arn[:200]!r} is not {ARN_SHAPE}"
    literal = [_TEMPLATE_BLOCK.sub("", f) for f in fields]  # what no rendering changes
    account_ok = not literal[4] or (literal[4].isascii() and literal[4].isdigit())
    if not (_LITERAL_PARTITION.fullmatch(literal[1]) and account_ok
            and _LITERAL_ROLE.fullmatch(literal[5])):
        return f"the role ARN {arn[:200]!r} is not {ARN_SHAPE}"
    return None


def _option(spec: ChainSpec, raw: str) -> ChainSpec:
    from ssogen.records import replace

    key, sep, value = raw.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or key not in OPTIONS:
        raise ValueError(f"unknown option {raw.strip()[:60]!r} after ';' (options: "
                         f"{', '.join(o + '=...' for o in OPTIONS)})")
    if getattr(spec, key) is not None:
        raise ValueError(f"{key} is given twice")
    if key == "role_session_name":
        if not _ROLE_SESSION_NAME_RE.fullmatch(value):
            raise ValueError(f"role_session_name {value[:80]!r} must be 2 to 64 characters "
                             "of A-Z a-z 0-9 _ + = , . @ -")
        return replace(spec, role_session_name=value)
    if not value.isascii() or not value.isdigit() \
            or not MIN_DURATION <= int(value) <= MAX_DURATION:
        raise ValueError(f"duration_seconds {value[:20]!r} must be a number of seconds from "
                         f"{MIN_DURATION} to {MAX_DURATION} (AWS gives a role assumed with "
                         "SSO role credentials at most one hour)")
    return replace(spec, duration_seconds=int(value))


def parse(text: str) -> ChainSpec:
    """The spec, or ValueError saying what is wrong (without the flag's name)."""
    if len(text) > MAX_SPEC_LENGTH:
        raise ValueError(f"longer than {MAX_SPEC_LENGTH} characters")
    if has_control(text):
        raise ValueError("contains a line break or control character")
    head, *options = split_outside_templates(text.strip(), ";")
    glob, sep, rest = head.partition("=")
    glob = glob.strip()
    if not sep or not glob or not rest.strip():
        raise ValueError(f"expected {SYNTAX}")
    if any(c.isspace() for c in glob):
        raise ValueError(f"the source glob {glob[:80]!r} contains spaces (profile names "
                         "have none)")
    fields = split_outside_templates(rest.strip(), ":", 6)
    arn = ":".join(fields[:6]).strip()
    template = fields[6].strip() if len(fields) > 6 else None
    problem = _arn_template_problem(arn)
    if problem:
        raise ValueError(problem)
    if template == "":
        raise ValueError("the name template after the role ARN's ':' is empty")
    spec = ChainSpec(glob, arn, template or "")
    for raw in options:
        spec = _option(spec, raw)
    return spec


def partition_of(sso_region: str) -> str | None:
    """The partition of an IAM Identity Center region (None: unknown region)."""
    from ssogen.model.regions import find

    region = find(sso_region.strip().lower()) if sso_region else None
    return region.partition if region is not None else None
