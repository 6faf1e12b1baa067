"""kill -9 benchmark (run on demand, not in CI): the loop of
``tests/test_hardening_kill9.py`` with more runs on a bigger file. It prints how many runs left
the old file and how many left the new one, how the kill moments were spread, the measured
phases of one run, and how many temp files were left and cleaned up.

    python benchmarks/kill9.py                          # 300 runs, ~12,000 sections
    python benchmarks/kill9.py --runs 1000 --accounts 5000 --foreign 5000

Each run is ``ssogen sync --inventory B --prune`` on a file that ``setup`` wrote for inventory
A, next to hand-written sections. It is SIGKILLed at a random moment, chosen in turn from
three windows: any time, after the lock is taken, or while the temp file is being written.
After every kill the loop asserts that:

- the config is byte-identical to the old or the new file;
- the backup is absent or equal to the old file;
- the lock is free;
- only ssogen temp files are left over, and the next write removes them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import Sandbox  # noqa: E402
from test_hardening_kill9 import kill_loop, make_workload  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--accounts", type=int, default=3000,
                        help="accounts with 3 roles each (default 3000: 9,000 profiles)")
    parser.add_argument("--foreign", type=int, default=3000,
                        help="hand-written sections around them (default 3000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        sandbox = Sandbox(root)
        start = time.monotonic()
        work = make_workload(sandbox, root, accounts=args.accounts, foreign=args.foreign)
        print(f"workload: {work.old.count(b'[')} sections, {len(work.old) / 1e6:.1f} MB old, "
              f"{len(work.new) / 1e6:.1f} MB new; one sync {work.seconds:.2f} s "
              f"(set up in {time.monotonic() - start:.0f} s)")
        figures = kill_loop(sandbox, work, runs=args.runs, seed=args.seed)
    print(figures.line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
