"""Stable names with chained profiles (issue 13.3, the property of issue 8 extended): across
random sequences of inventories, SSO name templates and ``--chain`` specs -- accounts appearing,
vanishing, renamed, sharing names; specs added, dropped, colliding with SSO names, with each
other and with names taken by hand in between; ``sync`` and ``sync --prune`` alternating --
no profile name ever comes to mean another thing: an SSO profile keeps its (session, account,
role), a chained profile its source's (session, account, role) and its role ARN. And no
chained profile ever points at a profile the file does not have."""

from __future__ import annotations

import configparser
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ssogen.app.generate import generate
from ssogen.model import chain
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings

URL = "https://acme.awsapps.com/start"
PROPS = settings(max_examples=int(os.environ.get("SSOGEN_EXAMPLES", "100")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])

IDS = ["555555555555", "666666666666", "777777777777"]
NAMES = ["dup", "dup", "Dup", "prod", ""]
ROLES = ["ReadOnlyAccess", "AdministratorAccess"]
TEMPLATES = ["account-role", "{{ account_id }}", "{{ role | kebab }}", "aws-cli"]
SPECS = [
    "*=arn:aws:iam::{{ account_id }}:role/Org",  # the default name: follows the source
    "*admin*=arn:aws:iam::999999999999:role/Deploy:deploy",  # one fixed name, many sources
    "*=arn:aws:iam::{{ account_id }}:role/Org:{{ account_name | kebab }}-org",
    "*=arn:aws:iam::999999999999:role/ci/Deploy:{{ target_role | kebab }}",
    "*read*=arn:aws:iam::{{ account_id }}:role/Org:{{ source }}",  # the source's own name
    "dup*=arn:aws:iam::888888888888:role/Org;duration_seconds=900",
]
HAND = ["deploy", "dup-read-only-access-to-org", "dup-org", "org", "deploy-555555555555",
        "666666666666-to-org", "dup-administrator-access"]


def meanings(path: Path) -> dict[str, tuple[str, ...]]:
    """profile name -> what it means, as botocore's parser reads the file: an SSO profile
    its (session, account, role); a chained one its source's, plus the role ARN."""
    cp = configparser.RawConfigParser(strict=True)
    cp.read(path, encoding="utf-8")
    profiles = {s[len("profile "):]: dict(cp[s]) for s in cp.sections()
                if s.startswith("profile ")}
    out: dict[str, tuple[str, ...]] = {}
    for name, o in profiles.items():
        if "role_arn" in o:
            src = profiles.get(o["source_profile"])
            assert src is not None, f"{name}: source_profile {o['source_profile']} is missing"
            out[name] = ("chain", src.get("sso_session", ""), src.get("sso_account_id", ""),
                         src.get("sso_role_name", ""), o["role_arn"])
        else:
            out[name] = ("sso", o.get("sso_session", ""), o.get("sso_account_id", ""),
                         o.get("sso_role_name", ""))
    return out


_account = st.builds(lambda i, n, r: Account(i, n, "", r), st.sampled_from(IDS),
                     st.sampled_from(NAMES),
                     st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))
_step = st.tuples(
    st.lists(_account, max_size=3, unique_by=lambda a: a.id),
    st.booleans(),  # prune?
    st.lists(st.sampled_from(HAND), max_size=2, unique=True),  # names taken by hand
    st.sampled_from(TEMPLATES),
    st.lists(st.sampled_from(SPECS), max_size=3, unique=True))


@PROPS
@given(steps=st.lists(_step, min_size=2, max_size=5))
def test_no_chained_profile_name_ever_changes_its_meaning(steps: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        for accounts, prune, hand_written, template, specs in steps:
            before = meanings(config) if config.exists() else {}
            with config.open("a", encoding="utf-8") as fh:
                for name in hand_written:
                    if name not in before:
                        fh.write(f"\n[profile {name}]\nregion = us-east-1\n")
                        before[name] = ("sso", "", "", "")
            s = Settings(session="acme", start_url=URL, sso_region="eu-west-1",
                         region="eu-west-1", output="json", name_template=template,
                         chains=[chain.parse(x) for x in specs])
            result = generate(config, s, Inventory("acme", URL, "eu-west-1", accounts),
                              prune=prune)
            for group, entries in result.plan.changes().items():  # what the examples cover
                if any(e.source_profile for e in entries):
                    event(f"chained profile {group}")
            if any("the chain" in n for n in result.notes):
                event("chained name collision")
            after = meanings(config)  # also: no chained profile lost its source
            for name in before.keys() & after.keys():
                assert after[name] == before[name], (name, before[name], after[name])
            # one chained profile per (source, role ARN): no duplicate generated
            chained = [m[1:] for m in after.values() if m[0] == "chain"]
            assert len(chained) == len(set(chained)), chained
            # a second run changes nothing
            again = generate(config, s, Inventory("acme", URL, "eu-west-1", accounts),
                             prune=prune, mode="check")
            assert not again.changed, again.diff
