"""Unified diffs of a config file before and after an edit, linear in the file's size.

The editor knows which parts of the file it changed (sections, by key), so the diff aligns
the two texts part by part and runs :mod:`difflib` only inside the changed regions: a
20,000-section file with three changed profiles is diffed in the time it takes to walk it.
The output is exactly ``difflib.unified_diff``'s format (3 lines of context), with two
additions a config file needs: a removed byte-order mark shows as ``<U+FEFF>`` on line 1, and
a missing final line break is marked ``\\ No newline at end of file``.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Sequence

from ssogen.inifile.codec import BOM

DIFF_CONTEXT = 3
_MAX_REFINE = 4_000_000  # len(a) * len(b) above which a region is not fed to SequenceMatcher

Opcode = tuple[str, int, int, int, int]
Part = tuple[Hashable, str]  # (identity, text): the same identity on both sides is one part


def unified(old_text: str, new_text: str, old_parts: Sequence[Part],
            new_parts: Sequence[Part], *, label: str, bom: bool) -> str:
    """The diff of ``old_text`` (the file as read, BOM included when ``bom``) and
    ``new_text``; ``old_parts``/``new_parts`` are the same texts cut into identified parts
    (the old ones without the BOM and with a final line break)."""
    if new_text == old_text:
        return ""
    old_lines = _split(old_text[1:] if bom else old_text)
    new_lines = _split(new_text)
    ops = _opcodes(old_parts, new_parts, old_lines, new_lines)
    if bom:
        ops = _force_first_line(ops, len(old_lines), len(new_lines))
        if old_lines:
            old_lines[0] = BOM + old_lines[0]
        else:
            old_lines = [BOM]
            ops = [("replace", 0, 1, 0, len(new_lines))] if new_lines else [
                ("delete", 0, 1, 0, 0)]
    return _format(ops, old_lines, new_lines, label,
                   old_missing_nl=not old_text.endswith("\n") and bool(old_text),
                   new_missing_nl=not new_text.endswith("\n") and bool(new_text))


def _opcodes(old_parts: Sequence[Part], new_parts: Sequence[Part], old_lines: list[str],
             new_lines: list[str]) -> list[Opcode]:
    """Equal parts are equal lines; everything between two equal parts is refined."""
    old_keys = {k for k, _ in old_parts}
    new_keys = {k for k, _ in new_parts}
    ops: list[Opcode] = []
    i = j = 0  # line positions in old / new
    p = q = 0
    pend_a: list[str] = []
    pend_b: list[str] = []
    pi = pj = 0

    def flush() -> None:
        nonlocal pend_a, pend_b
        if pend_a or pend_b:
            ops.extend(_refine(pend_a, pend_b, pi, pj))
        pend_a, pend_b = [], []

    while p < len(old_parts) or q < len(new_parts):
        if q < len(new_parts) and new_parts[q][0] not in old_keys:
            if not pend_a and not pend_b:
                pi, pj = i, j
            n = new_parts[q][1].count("\n")
            pend_b += new_lines[j:j + n]
            j += n
            q += 1
            continue
        if p < len(old_parts) and old_parts[p][0] not in new_keys:
            if not pend_a and not pend_b:
                pi, pj = i, j
            n = old_parts[p][1].count("\n")
            pend_a += old_lines[i:i + n]
            i += n
            p += 1
            continue
        before, after = old_parts[p][1], new_parts[q][1]
        if before == after:
            flush()
            n = after.count("\n")
            ops.append(("equal", i, i + n, j, j + n))
            i += n
            j += n
        else:
            if not pend_a and not pend_b:
                pi, pj = i, j
            na, nb = before.count("\n"), after.count("\n")
            pend_a += old_lines[i:i + na]
            pend_b += new_lines[j:j + nb]
            i += na
            j += nb
        p += 1
        q += 1
    flush()
    return _split_last_line(_merge_equal(ops), old_lines, new_lines)


def _split(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` breaks a line (as in the INI parsers)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _refine(a: list[str], b: list[str], i: int, j: int) -> list[Opcode]:
    if not a:
        return [("insert", i, i, j, j + len(b))]
    if not b:
        return [("delete", i, i + len(a), j, j)]
    if len(a) * len(b) > _MAX_REFINE:
        return [("replace", i, i + len(a), j, j + len(b))]
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) * 4 <= len(a):
        return _positional(a, b, i, j)  # a few lines rewritten in place (renamed headers)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(t, i + a1, i + a2, j + b1, j + b2) for t, a1, a2, b1, b2 in sm.get_opcodes()]


def _positional(a: list[str], b: list[str], i: int, j: int) -> list[Opcode]:
    """Line k of ``a`` against line k of ``b``: equal runs and replaced runs (what
    SequenceMatcher finds too when lines are only rewritten, not moved -- at a fraction of
    its cost)."""
    ops: list[Opcode] = []
    start = 0
    same = a[0] == b[0]
    for k in range(1, len(a) + 1):
        now = k < len(a) and a[k] == b[k]
        if k == len(a) or now != same:
            ops.append(("equal" if same else "replace", i + start, i + k, j + start, j + k))
            start, same = k, now
    return ops


def _merge_equal(ops: list[Opcode]) -> list[Opcode]:
    out: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and op[0] == "equal" and out[-1][0] == "equal":
            _, a1, _, b1, _ = out[-1]
            out[-1] = ("equal", a1, op[2], b1, op[4])
        else:
            out.append(op)
    return out


def _split_last_line(ops: list[Opcode], a: list[str], b: list[str],
                     ) -> list[Opcode]:
    """Lines "equal" except for a final newline (the old or new last line) are changes."""
    for n, (tag, a1, a2, b1, b2) in enumerate(ops):
        if tag != "equal":
            continue
        cut = [k for k in (len(a) - 1 - a1, len(b) - 1 - b1) if 0 <= k < a2 - a1
               and a[a1 + k] != b[b1 + k]]
        if cut:
            k = cut[0]
            parts = [("equal", a1, a1 + k, b1, b1 + k), ("replace", a1 + k, a1 + k + 1,
                     b1 + k, b1 + k + 1), ("equal", a1 + k + 1, a2, b1 + k + 1, b2)]
            ops[n:n + 1] = [p for p in parts if p[1] != p[2]]
            break
    return ops


def _force_first_line(ops: list[Opcode], n_old: int, n_new: int,
                      ) -> list[Opcode]:
    """Show line 1 as changed (the removed BOM) even when its text is otherwise equal."""
    if not ops or not n_old or not n_new:
        return ops
    tag, a1, a2, b1, b2 = ops[0]
    if tag != "equal" or a1 != 0 or b1 != 0:
        return ops
    head = [("replace", 0, 1, 0, 1)]
    if a2 > 1:
        head.append(("equal", 1, a2, 1, b2))
    return head + ops[1:]


def _grouped(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Hunks of changes with ``n`` lines of context, as ``SequenceMatcher.get_grouped_opcodes``
    makes them (for opcodes that did not come from a SequenceMatcher)."""
    codes = list(ops) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":  # fix up leading and trailing context
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > n + n:  # end the hunk at a long equal run
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _show(line: str) -> str:
    if BOM in line:
        line = line.replace(BOM, "<U+FEFF>")
    if line.endswith("\r\n"):
        return line[:-2] + "\n"
    return line if line.endswith("\n") else line + "\n"


def _format(ops: list[Opcode], a: list[str], b: list[str], label: str,
            *, old_missing_nl: bool, new_missing_nl: bool) -> str:
    out = [f"--- {label}\n", f"+++ {label} (ssogen)\n"]
    no_newline = "\\ No newline at end of file\n"

    def lines(prefix: str, src: list[str], lo: int, hi: int, missing: bool) -> None:
        out.extend([prefix + _show(src[k]) for k in range(lo, hi)])
        if missing and hi == len(src) and hi > lo:
            out.append(no_newline)

    for group in _grouped(ops, DIFF_CONTEXT):
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        out.append(f"@@ -{_range(a1, a2)} +{_range(b1, b2)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines(" ", a, i1, i2, old_missing_nl)
                continue
            lines("-", a, i1, i2, old_missing_nl)
            lines("+", b, j1, j2, new_missing_nl)
    return "".join(out) if len(out) > 2 else ""


def _range(start: int, stop: int) -> str:
    length = stop - start
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
