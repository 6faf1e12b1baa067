"""The access portal's copy-paste formats (docs/AWS-NOW.md §i) into one credential set: every
tab of the dialog, CRLF from the Windows clipboard, the dialog's prose around it -- and every
broken paste refused with one line that names no value."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ssogen.errors import UsageError
from ssogen.model.portal_credentials import PortalCredentials, parse

KEY_ID = "ASIAQWERTYUIOPASDFGH"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+/token0123456789abcdefghijklmnopqrstuvwxyz=="
SECRETS = (KEY_ID, SECRET, TOKEN)

BASH = f'''export AWS_ACCESS_KEY_ID="{KEY_ID}"
export AWS_SECRET_ACCESS_KEY="{SECRET}"
export AWS_SESSION_TOKEN="{TOKEN}"
'''
POWERSHELL = f'''$Env:AWS_ACCESS_KEY_ID="{KEY_ID}"
$Env:AWS_SECRET_ACCESS_KEY="{SECRET}"
$Env:AWS_SESSION_TOKEN="{TOKEN}"
'''
CMD = f"""SET AWS_ACCESS_KEY_ID={KEY_ID}
SET AWS_SECRET_ACCESS_KEY={SECRET}
SET AWS_SESSION_TOKEN={TOKEN}
"""
BLOCK = f"""[761018884888_AdministratorAccess]
aws_access_key_id={KEY_ID}
aws_secret_access_key={SECRET}
aws_session_token={TOKEN}
"""
FORMS = {"bash": BASH, "powershell": POWERSHELL, "cmd": CMD, "credentials file": BLOCK}


def dialog(option1: str, *, block: str = BLOCK) -> str:
    """The dialog as a person selects all of it: prose, one tab's Option 1, Option 2, and
    Option 3's individual values."""
    return (
        "Get credentials for AdministratorAccess\n"
        "AdministratorAccess의 자격 증명 가져오기\n"
        "macOS and Linux   Windows   PowerShell\n"
        "AWS IAM Identity Center credentials (Recommended)\n"
        "SSO start URL\nhttps://identitycenter.amazonaws.com/ssoins-723089322eab111a\n"
        "SSO Region\nus-east-1\n\n"
        "Option 1: Set AWS environment variables (Short-term credentials)\n"
        f"{option1}\n"
        "Option 2: Add a profile to your AWS credentials file (Short-term credentials)\n"
        f"{block}\n"
        "Option 3: Use individual values in your AWS service client\n"
        f"AWS access key ID\n{KEY_ID}\nAWS secret access key\n{SECRET}\n"
        f"AWS session token\n{TOKEN}\n")


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def check(creds: PortalCredentials) -> None:
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == SECRETS
    assert creds.file_keys() == [("aws_access_key_id", KEY_ID),
                                 ("aws_secret_access_key", SECRET),
                                 ("aws_session_token", TOKEN)]
    assert not any(s in repr(creds) for s in SECRETS)


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("line_ending", ["lf", "crlf"])
def test_each_tab_of_the_dialog(form: str, line_ending: str) -> None:
    text = FORMS[form] if line_ending == "lf" else crlf(FORMS[form])
    creds = parse(text)
    check(creds)
    assert creds.forms == (form,)
    if form == "credentials file":
        assert (creds.profile, creds.account_id, creds.role_name) == (
            "761018884888_AdministratorAccess", "761018884888", "AdministratorAccess")
    else:
        assert (creds.profile, creds.account_id, creds.role_name) == (None, None, None)


@pytest.mark.parametrize("form", ["bash", "powershell", "cmd"])
def test_the_whole_dialog_with_its_prose_is_one_set(form: str) -> None:
    for text in (dialog(FORMS[form]), crlf(dialog(FORMS[form])),
                 "\ufeff" + crlf(dialog(FORMS[form]))):  # a BOM from the clipboard
        creds = parse(text)
        check(creds)
        assert creds.forms == (form, "credentials file")
        assert creds.profile == "761018884888_AdministratorAccess"


def test_prose_alone_around_one_form() -> None:
    creds = parse("Copy these lines into your terminal:\r\n\r\n" + crlf(BASH)
                  + "\r\nThey expire in one hour. [Learn more]\r\n")
    check(creds)
    assert creds.profile is None  # a bracketed word in prose is no profile block


@pytest.mark.parametrize("text", [
    f"AWS_ACCESS_KEY_ID={KEY_ID}\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN={TOKEN}\n",
    f"export AWS_ACCESS_KEY_ID='{KEY_ID}'\nexport AWS_SECRET_ACCESS_KEY='{SECRET}'\n"
    f"export AWS_SESSION_TOKEN='{TOKEN}'",  # single quotes, no final line break
    f'$env:AWS_ACCESS_KEY_ID = "{KEY_ID}"\n$ENV:AWS_SECRET_ACCESS_KEY="{SECRET}"\n'
    f"$Env:AWS_SESSION_TOKEN='{TOKEN}'\n",
    f'set "AWS_ACCESS_KEY_ID={KEY_ID}"\nset AWS_SECRET_ACCESS_KEY={SECRET}\n'
    f'Set "AWS_SESSION_TOKEN={TOKEN}"\n',
    f"  [p]\n  aws_access_key_id = {KEY_ID}\n\taws_secret_access_key={SECRET}  \n"
    f"AWS_SESSION_TOKEN={TOKEN}\n",
], ids=["bare-assignments", "single-quotes", "powershell-spelling", "cmd-quoted", "indented"])
def test_spellings_people_paste(text: str) -> None:
    check(parse(text))


def test_other_variables_and_the_same_set_twice_are_fine() -> None:
    text = BASH + 'export AWS_DEFAULT_REGION="eu-west-1"\n' + POWERSHELL + BASH
    creds = parse(text)
    check(creds)
    assert creds.forms == ("bash", "powershell")


def test_an_expiration_is_kept_and_an_expired_set_refused() -> None:
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    stamp = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    creds = parse(BASH + f"export AWS_CREDENTIAL_EXPIRATION={stamp}\n")
    check(creds)
    assert creds.expiration == soon.replace(microsecond=0)
    with pytest.raises(UsageError, match="expired at"):
        parse(BASH + "export AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z\n")
    with pytest.raises(UsageError, match="is not a time"):
        parse(BASH + "export AWS_CREDENTIAL_EXPIRATION=tomorrow\n")


def test_a_block_header_that_is_not_the_portals_names_only_the_profile() -> None:
    creds = parse(BLOCK.replace("[761018884888_AdministratorAccess]", "[my-profile]"))
    assert (creds.profile, creds.account_id, creds.role_name) == ("my-profile", None, None)


# -- broken pastes --------------------------------------------------------------------------
BROKEN = {
    "nothing": ("Option 1: Set AWS environment variables\n", "no credentials found"),
    "empty": ("", "no credentials found"),
    "missing-token": (BASH.replace(f'export AWS_SESSION_TOKEN="{TOKEN}"\n', ""),
                      "no AWS_SESSION_TOKEN (aws_session_token)"),
    "missing-two": (f"aws_access_key_id={KEY_ID}\n",
                    "no AWS_SECRET_ACCESS_KEY (aws_secret_access_key) and AWS_SESSION_TOKEN"),
    "empty-value": (BASH.replace(f'"{SECRET}"', '""'), "line 2: AWS_SECRET_ACCESS_KEY is empty"),
    "space-in-value": (CMD.replace(SECRET, SECRET[:10] + " " + SECRET[10:]),
                       "line 2: the value of AWS_SECRET_ACCESS_KEY contains spaces"),
    "control-char": (BASH.replace(TOKEN, TOKEN[:9] + "\x1b[2J" + TOKEN[9:]),
                     "line 3: the value of AWS_SESSION_TOKEN contains spaces or control"),
    "lone-cr": (BASH.replace(TOKEN, TOKEN[:9] + "\r" + TOKEN[9:]), "control characters"),
    "non-ascii": (BASH.replace(SECRET, SECRET[:5] + "é" + SECRET[5:]), "control characters"),
    "lower-key-id": (BASH.replace(KEY_ID, KEY_ID.lower()), "line 1: AWS_ACCESS_KEY_ID is not"),
    "short-key-id": (BASH.replace(KEY_ID, "ASIA123"), "16 to 128 capital letters and digits"),
    "placeholder": (BASH.replace(KEY_ID, "ASIA..."), "is not an access key id"),
    "unclosed-quote": (BASH.replace(f'"{TOKEN}"', f'"{TOKEN[:30]}'),
                       "line 3: the value of AWS_SESSION_TOKEN opens a quote that does not"),
    "stray-quote": (BASH.replace(f'"{TOKEN}"', f'{TOKEN}"'), "ends with a quote"),
    "quote-inside": (CMD.replace(SECRET, SECRET[:5] + '"' + SECRET[5:]),
                     "characters that credentials never contain"),
    "cmd-unclosed": (f'set "AWS_ACCESS_KEY_ID={KEY_ID}\n' + CMD, "the quote before"),
    "wrapped-block": (BLOCK.replace(f"aws_session_token={TOKEN}",
                                    f"aws_session_token={TOKEN[:40]}\n{TOKEN[40:]}"),
                      "line 5 looks like the rest of the value on line 4"),
    "wrapped-cmd": (CMD.replace(f"SET AWS_SESSION_TOKEN={TOKEN}",
                                f"SET AWS_SESSION_TOKEN={TOKEN[:40]}\r\n{TOKEN[40:]}"),
                    "looks like the rest of the value on line 3"),
    "two-sets": (BASH + BLOCK.replace(SECRET, SECRET[::-1]),
                 "two different credential sets (AWS_SECRET_ACCESS_KEY on lines 2 and 6"),
    "two-blocks": (BLOCK + "\n" + BLOCK.replace("761018884888", "975474249947"),
                   "two different credential sets ([761018884888_AdministratorAccess] on "
                   "line 1, [975474249947_AdministratorAccess] on line 6)"),
    "two-tokens": (BASH + f"$Env:AWS_SESSION_TOKEN=\"{TOKEN[::-1]}\"\n",
                   "AWS_SESSION_TOKEN on lines 3 and 4 differ"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_pastes_are_refused_in_one_line_naming_no_value(case: str) -> None:
    text, needle = BROKEN[case]
    for variant in (text, crlf(text)):
        with pytest.raises(UsageError) as info:
            parse(variant)
        err = info.value
        assert needle in err.message, err.message
        assert "\n" not in err.message and err.hint is None  # one line
        assert err.exit_code == 2
        for secret in (*SECRETS, SECRET[::-1], TOKEN[::-1], TOKEN[:30], TOKEN[40:]):
            assert secret not in err.message
        assert SECRET[:10] not in err.message and TOKEN[:9] not in err.message


def test_a_short_word_after_a_key_line_is_prose_not_a_wrapped_value() -> None:
    check(parse(BLOCK + "Copy\n"))
    check(parse(BASH + "Done\n"))
