#!/usr/bin/env python3
"""Start-up benchmark: ``ssogen --help`` (and ``ssogen setup --help``, ``ssogen --version``)
against ``python -c pass`` on the same interpreter, side by side in one run.

The commands take turns (A B A B ...) so that drift of the machine hits both alike; each figure
is the median of ``--runs`` fresh processes after one warm-up round that is not counted (it
also writes the bytecode, as a pip install does: a shell with ``PYTHONDONTWRITEBYTECODE=1``
would otherwise time the compiler). Target (issue 9): ``ssogen --help`` <= 50 ms on this
machine's Python. Run: ``python benchmarks/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def wall(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=os.path.join(tmp, "pycache"), COLUMNS="80")
        script = os.path.join(os.path.dirname(sys.executable), "ssogen")
        # the console script, as people run it (``python -m`` adds runpy's ~10 ms)
        ssogen = [script] if os.path.exists(script) else [sys.executable, "-m", "ssogen"]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "ssogen --help": [*ssogen, "--help"],
            "ssogen setup --help": [*ssogen, "setup", "--help"],
            "ssogen --version": [*ssogen, "--version"],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for i in range(args.runs + 1):
            for name, argv in commands.items():
                took = wall(argv, env)
                if i:
                    samples[name].append(took)
    base = statistics.median(samples["python -c pass"])
    print(f"start-up, fresh processes, median of {args.runs} (Python {sys.version.split()[0]})")
    print(f"{'command':<22} {'ms':>7} {'- python -c pass':>17}")
    for name, values in samples.items():
        ms = statistics.median(values) * 1000
        print(f"{name:<22} {ms:7.1f} {ms - base * 1000:17.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
