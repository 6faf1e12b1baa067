"""Issue 12 finding 1, through a real pseudo-terminal: the wizard has read the file and waits
at "Write these changes?"; meanwhile another program edits it (here the way `aws configure set
region ap-south-1 --profile work` does). Answering yes must not overwrite that edit: ssogen says
the file changed, plans again on the new content, asks again, and the write keeps the edit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from test_wizard_pty import answer_profiles, inventory_file, spawn

#: the question while it is open (once answered, its line ends in the answer instead)
OPEN = r"Write these changes to ~/\.aws/config\? \(Y\)es, \(n\)o"
MINE = "# mine\n[profile work]\nregion = us-east-1\noutput = json\n"


def test_an_edit_made_while_the_wizard_waits_is_kept(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    answer_profiles(s)
    s.wait(OPEN)
    # another program writes the file while the question is open
    edited = MINE.replace("region = us-east-1", "region = ap-south-1")
    sandbox.config.write_text(edited)
    s.send("y")
    s.wait_words("was changed by another program while ssogen worked; planning again on "
                 "its new content")
    s.wait(OPEN)  # asked again, on the new content
    asked = [ln for ln in s.everything if re.search(r"Write these changes", ln)]
    assert len(asked) >= 2, s.dump()
    s.send("y")
    assert s.finish() == 0, s.dump()
    text = sandbox.config.read_text()
    assert text.startswith(edited), text[:200]  # the edit is there, byte for byte
    assert "region = us-east-1" not in text
    assert "[profile acme-prod-read-only-access]" in text


def test_declining_after_the_edit_writes_nothing(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    answer_profiles(s)
    s.wait(OPEN)
    edited = MINE + "\n[profile added-meanwhile]\nregion = eu-north-1\n"
    sandbox.config.write_text(edited)
    s.send("y")
    s.wait_words("was changed by another program")
    s.wait(OPEN)
    s.send("n")
    s.settle()
    code = s.finish()
    assert code == 1, s.dump()  # declined (documented: exit 1, the config untouched)
    assert sandbox.config.read_text() == edited
