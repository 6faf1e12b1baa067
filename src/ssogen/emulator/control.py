"""The emulator's control API for tests, under ``/_emulator/`` (JSON in, JSON out).

=======  ==================================  =============================================
GET      /_emulator/state                    stats, pending user codes, console logins,
                                            clock, knobs
GET      /_emulator/stats                    per-API requests, 429s, faults, active tokens
GET      /_emulator/secrets                  {"secrets": [...]} everything issued (leak scans)
POST     /_emulator/approve                  {"user_code": "ABCD-EFGH"} (omit: latest pending)
POST     /_emulator/deny                     same
POST     /_emulator/advance_clock            {"seconds": 3000}
POST     /_emulator/knobs                    {"rate_limit": 20, "verification_style":
                                            "signin", ...}
GET      /_emulator/accounts                 the organisation (inventory JSON ``accounts``)
POST     /_emulator/accounts                 {"id", "name", "email", "roles"}
DELETE   /_emulator/accounts/ID
POST     /_emulator/accounts/ID/roles        {"role": "ReadOnlyAccess"}
DELETE   /_emulator/accounts/ID/roles/ROLE
=======  ==================================  =============================================
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from ssogen.emulator.server import Emulator

_KNOBS: dict[str, type] = {
    "latency_ms": float, "rate_limit": float, "fault_rate": float, "auto_approve_after": int,
    "token_ttl": int, "expires_in": int, "interval": int, "credential_ttl": int,
    "session_ttl": int, "verification_style": str,
}


def _error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"message": message}


def handle_control(emu: Emulator, method: str, path: str, query: dict[str, str],
                   raw: bytes) -> tuple[int, Any]:
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not valid JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")
    parts = [unquote(p) for p in path.split("/")[2:] if p]
    try:
        return _route(emu, method, parts, body)
    except LookupError as exc:
        return _error(404, str(exc).strip("'\""))
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))


def _route(emu: Emulator, method: str, parts: list[str],
           body: dict[str, Any]) -> tuple[int, Any]:
    head = parts[0] if parts else ""
    if method == "GET" and parts == ["state"]:
        return 200, emu.state()
    if method == "GET" and parts == ["stats"]:
        return 200, emu.stats()
    if method == "GET" and parts == ["secrets"]:
        return 200, {"secrets": emu.issued_secrets()}
    if method == "POST" and parts in (["approve"], ["deny"]):
        code = body.get("user_code")
        if code is not None and not isinstance(code, str):
            raise ValueError("user_code must be a string")
        done = emu.approve(code) if head == "approve" else emu.deny(code)
        return 200, {"user_code": done, "status": "approved" if head == "approve" else "denied"}
    if method == "POST" and parts == ["advance_clock"]:
        seconds = body.get("seconds")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise ValueError("seconds must be a number")
        return 200, {"now": emu.advance_clock(float(seconds))}
    if method == "POST" and parts == ["knobs"]:
        for key, value in body.items():
            if key not in _KNOBS:
                raise ValueError(f"unknown knob {key!r}")
            if value is not None:
                value = _KNOBS[key](value)
            elif key not in ("rate_limit", "auto_approve_after"):
                raise ValueError(f"{key} cannot be null")
            setattr(emu, key, value)
        return 200, emu.state()["knobs"]
    if head == "accounts":
        return _accounts(emu, method, parts[1:], body)
    return _error(404, f"no control endpoint {method} /_emulator/{'/'.join(parts)}")


def _accounts(emu: Emulator, method: str, rest: list[str],
              body: dict[str, Any]) -> tuple[int, Any]:
    org = emu.org
    if not rest:
        if method == "GET":
            return 200, org.to_dict()
        if method == "POST":
            roles = body.get("roles", [])
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise ValueError("roles must be a list of strings")
            org.add_account(str(body.get("id", "")), str(body.get("name", "")),
                            str(body.get("email", "")), roles)
            added = org.account(str(body["id"]))
            assert added is not None
            return 201, added.to_dict()
    elif len(rest) == 1 and method == "DELETE":
        org.remove_account(rest[0])
        return 200, {"removed": rest[0]}
    elif len(rest) == 2 and rest[1] == "roles" and method == "POST":
        role = body.get("role")
        if not isinstance(role, str):
            raise ValueError("role must be a string")
        org.add_role(rest[0], role)
        return 200, {"id": rest[0], "roles": org.roles(rest[0])}
    elif len(rest) == 3 and rest[1] == "roles" and method == "DELETE":
        org.remove_role(rest[0], rest[2])
        return 200, {"id": rest[0], "roles": org.roles(rest[0])}
    return _error(404, f"no control endpoint {method} /_emulator/accounts/{'/'.join(rest)}")
