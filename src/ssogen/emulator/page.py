"""The pages a person sees: the device verification page in both of AWS's forms (``/device``,
which shows or asks for the code, and ``/platform/authorize?request_uri=...``, which always
asks for it), the PKCE consent page (``/authorize``) and the index (``/``). Like AWS's pages
they ask to allow or deny access. Plain HTML forms, so a browser or
``curl -d user_code=ABCD-EFGH -d action=approve <url>/device`` works."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ssogen.emulator.base import parse_form

if TYPE_CHECKING:
    from ssogen.emulator.server import Emulator

_STYLE = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f2f3f3;
margin:0;color:#16191f}
header{background:#232f3e;color:#fff;padding:12px 24px;font-weight:600}
main{max-width:460px;margin:48px auto;background:#fff;padding:28px 32px;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:20px;margin-top:0}
.code{font:600 28px/1.4 ui-monospace,Menlo,Consolas,monospace;letter-spacing:3px;
text-align:center;background:#f2f8fd;border:1px solid #0972d3;border-radius:6px;padding:10px}
input[type=text]{font:600 22px ui-monospace,Menlo,Consolas,monospace;letter-spacing:2px;
width:100%;box-sizing:border-box;padding:8px;text-transform:uppercase}
.buttons{display:flex;gap:12px;margin-top:20px}
button{flex:1;font-size:16px;padding:10px;border-radius:20px;cursor:pointer;border:1px solid
#0972d3}
.allow{background:#ff9900;border-color:#ff9900;color:#16191f;font-weight:600}
.deny{background:#fff;color:#0972d3}
.ok{color:#037f0c}.bad{color:#d91515}
small{color:#5f6b7a}
"""


def page(title: str, body: str) -> str:
    """A whole HTML page in the emulator's look, ``body`` inside ``<main>``."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><header>ssogen emulator &middot; AWS IAM Identity Center</header>"
            f"<main>{body}</main></body></html>\n")


def _form(user_code: str, message: str = "") -> str:
    code = html.escape(user_code)
    note = f'<p class="bad">{html.escape(message)}</p>' if message else ""
    if user_code:
        shown = (f'<p>Confirm that this code matches the one shown in your terminal:</p>'
                 f'<div class="code" id="user-code">{code}</div>'
                 f'<input type="hidden" name="user_code" value="{code}">')
    else:
        shown = ('<p>Enter the code shown in your terminal:</p>'
                 '<input type="text" name="user_code" autofocus autocomplete="off" '
                 'placeholder="ABCD-EFGH" maxlength="9" aria-label="code">')
    return page("Authorize request", (
        f"<h1>Authorization requested</h1>{note}"
        f'<form method="post" action="/device">{shown}'
        f"<p><small>A command-line tool (such as <code>ssogen login</code> or "
        f"<code>aws sso login</code>) asks to access your AWS accounts.</small></p>"
        f'<div class="buttons">'
        f'<button class="deny" type="submit" name="action" value="deny">Deny</button>'
        f'<button class="allow" type="submit" name="action" value="approve">Allow access'
        f"</button></div></form>"))


def handle_page(emu: Emulator, method: str, query: dict[str, str],
                raw: bytes) -> tuple[int, str]:
    """``/device``: GET shows the code from ``?user_code=`` (or a field to type it in); POST
    approves or denies it."""
    if method == "GET":
        return 200, _form(query.get("user_code", "").strip())
    if method != "POST":
        return 405, page("Not allowed", "<h1>Method not allowed</h1>")
    form = parse_form(raw)
    code = form.get("user_code", "").strip()
    action = form.get("action", "approve")
    if not code:
        return 400, _form("", "Enter the code shown in your terminal.")
    if action not in ("approve", "deny"):
        return 400, _form(code, "Choose Allow access or Deny.")
    try:
        done = emu.approve(code) if action == "approve" else emu.deny(code)
    except LookupError as exc:
        return 400, _form("", f"Code {code[:12]}: {exc}.")
    return 200, _decided(done, action == "approve")


def _decided(user_code: str, approved: bool) -> str:
    code = html.escape(user_code)
    if approved:
        return page("Request approved", (
            f'<h1 class="ok">Request approved</h1><p>Code <b>{code}</b>: '
            f"you can close this window and return to your terminal.</p>"))
    return page("Request denied", (
        f'<h1 class="bad">Request denied</h1><p>Code <b>{code}</b> was denied; '
        f"the command in your terminal will stop.</p>"))


def _signin_form(request_uri: str, message: str = "") -> str:
    note = f'<p class="bad">{html.escape(message)}</p>' if message else ""
    return page("Authorize request", (
        f"<h1>Authorization requested</h1>{note}"
        '<form method="post" action="/platform/authorize">'
        f'<input type="hidden" name="request_uri" value="{html.escape(request_uri)}">'
        "<p>Enter the code shown in your terminal:</p>"
        '<input type="text" name="user_code" autofocus autocomplete="off" '
        'placeholder="ABCD-EFGH" maxlength="9" aria-label="code">'
        "<p><small>A command-line tool (such as <code>ssogen login</code> or "
        "<code>aws sso login</code>) asks to access your AWS accounts.</small></p>"
        '<div class="buttons">'
        '<button class="deny" type="submit" name="action" value="deny">Deny</button>'
        '<button class="allow" type="submit" name="action" value="approve">Allow access'
        "</button></div></form>"))


def handle_signin_page(emu: Emulator, method: str, query: dict[str, str],
                       raw: bytes) -> tuple[int, str]:
    """``/platform/authorize?request_uri=...``: the verification page of the ``signin``
    style. The URL names the request but not its code, so the page always asks for the code
    and approves (or denies) only if it is that request's code."""
    if method == "GET":
        request_uri = query.get("request_uri", "")
        try:
            emu.oidc.devices.for_request_uri(request_uri)
        except LookupError as exc:
            return 400, page("Invalid request", (
                f'<h1 class="bad">Invalid request</h1><p>{html.escape(str(exc))}.</p>'))
        return 200, _signin_form(request_uri)
    if method != "POST":
        return 405, page("Not allowed", "<h1>Method not allowed</h1>")
    form = parse_form(raw)
    request_uri = form.get("request_uri", "")
    code = form.get("user_code", "").strip()
    action = form.get("action", "approve")
    if action not in ("approve", "deny"):
        return 400, _signin_form(request_uri, "Choose Allow access or Deny.")
    if not code:
        return 400, _signin_form(request_uri, "Enter the code shown in your terminal.")
    try:
        done = emu.oidc.devices.decide(code, action == "approve", request_uri=request_uri)
    except LookupError as exc:
        return 400, _signin_form(request_uri, f"Code {code[:12]}: {exc}.")
    return 200, _decided(done, action == "approve")


def handle_index(emu: Emulator, method: str) -> tuple[int, str]:
    """``GET /``: what this is and where to go (a person may open the bare URL)."""
    if method != "GET":
        return 405, page("Not allowed", "<h1>Method not allowed</h1>")
    exports = "\n".join(f"export {k}={html.escape(v)}" for k, v in emu.endpoint_env().items())
    pending = emu.pending_user_codes()
    codes = "".join(f'<li><a href="/device?user_code={html.escape(c)}">{html.escape(c)}</a></li>'
                    for c in pending) or "<li>none</li>"
    return 200, page("ssogen emulator", (
        "<h1>IAM Identity Center emulator</h1>"
        f"<p>{len(emu.org)} accounts, {emu.org.role_count} roles. Point AWS tools here:</p>"
        f"<pre>{exports}</pre>"
        "<p>STS GetCallerIdentity, AssumeRole and S3 ListBuckets answer the role credentials "
        "issued here (<code>aws sts get-caller-identity</code>, <code>aws s3 ls</code>), and "
        "<code>/federation</code> signs them in to a (pretend) console.</p>"
        f'<p>Pending sign-in requests:</p><ul>{codes}</ul>'
        '<p><a href="/device">Enter a code</a> &middot; '
        '<a href="/_emulator/state">state (JSON)</a></p>'))


def handle_authorize(emu: Emulator, method: str, query: dict[str, str],
                     raw: bytes) -> tuple[int, str, str | None]:
    """``/authorize`` (PKCE, as the AWS CLI v2 opens it): GET asks Allow/Deny, POST answers
    with a redirect to the client's loopback callback carrying ``code`` (or ``error``) and
    ``state``. With ``auto_approve_after`` set, GET redirects at once. A bad request (unknown
    client, unregistered redirect URI) gets an error page, never a redirect."""
    if method == "POST":
        form = parse_form(raw)
        action = form.pop("action", "approve")
        params, approve = form, action == "approve"
    elif method == "GET":
        params, approve = query, True
    else:
        return 405, page("Not allowed", "<h1>Method not allowed</h1>"), None
    try:
        checked = emu.check_authorize(params)
        if method == "GET" and emu.auto_approve_after is None:
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" '
                             f'value="{html.escape(v)}">' for k, v in checked.items())
            scopes = html.escape(checked.get("scopes", "") or "(none)")
            name = html.escape(emu.oidc.codes.client_name(checked["client_id"]))
            return 200, page("Authorize request", (
                "<h1>Allow access?</h1>"
                f'<p>The application <code id="client-name">{name}</code> (a command-line '
                "tool such as <code>aws sso login</code>) asks to access your AWS "
                f"accounts.</p><p><small>Scopes: {scopes}</small></p>"
                f'<form method="post" action="/authorize">{hidden}<div class="buttons">'
                '<button class="deny" type="submit" name="action" value="deny">Deny</button>'
                '<button class="allow" type="submit" name="action" value="approve">'
                "Allow access</button></div></form>")), None
        location = emu.authorize(checked, approve)
    except ValueError as exc:
        return 400, page("Invalid request", (
            f'<h1 class="bad">Invalid request</h1><p>{html.escape(str(exc))}.</p>')), None
    return 302, page("Redirecting", (
        f'<p>Redirecting to <a href="{html.escape(location)}">your terminal</a>…</p>')), location
