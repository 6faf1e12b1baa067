"""Fuzz benchmark (run on demand, not in CI): the checks of ``tests/test_fuzz.py`` for many
more cases, counting outcomes instead of stopping at the first failure.

    python benchmarks/fuzz.py                      # 10,000 config cases + 2,000 inventories
    python benchmarks/fuzz.py --cases 50000 --inventories 5000 --seed 7

Each config case is arbitrary bytes, arbitrary text, INI-shaped text or a mutated file ssogen
wrote, run through ``ssogen setup --yes --inventory`` or ``ssogen sync --inventory`` (the real
CLI entry point, in-process). Outcomes: ``error`` (exit 2, file untouched), ``edit`` (written;
botocore reads it, foreign sections intact, a second run changes nothing), ``unchanged``
(exit 0, nothing to do), ``FAILURE`` (anything else). Prints the counts and the first
failures; exits 1 if there was any failure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz  # noqa: E402

FAILURES: Path | None = None


def run(name: str, strategy: st.SearchStrategy, check, n: int, rng_seed: int,  # type: ignore[no-untyped-def]
        ) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as d:
        directory = Path(d)

        @seed(rng_seed)
        @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def case(args: tuple) -> None:
            for p in directory.iterdir():
                p.unlink()
            try:
                counts[check(directory, *args)] += 1
            except Exception as exc:  # counted and shown, never raised
                counts["FAILURE"] += 1
                if len(failures) < 5:
                    failures.append(f"{args!r:.300}\n{''.join(traceback.format_exception_only(exc))[:1500]}")
                if FAILURES is not None:
                    with FAILURES.open("a") as fh:
                        fh.write(repr(args) + "\n")

        start = time.monotonic()
        case()
        elapsed = time.monotonic() - start
    total = sum(counts.values())
    print(f"{name}: {total} cases in {elapsed:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--inventories", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--failures", type=Path, metavar="FILE",
                        help="append the full repr of every failing case to FILE")
    args = parser.parse_args()
    global FAILURES
    FAILURES = args.failures
    configs, f1 = run("config reader", st.tuples(test_fuzz.CONFIGS,
                                                 st.sampled_from(["setup", "sync"])),
                      test_fuzz.check_case, args.cases, args.seed)
    raws = st.one_of(test_fuzz.inventories().map(lambda d: test_fuzz.json.dumps(d).encode()),
                     st.binary(max_size=200))
    inventories, f2 = run("inventory loader", st.tuples(raws), test_fuzz.check_inventory,
                          args.inventories, args.seed)
    for f in f1 + f2:
        print("--- failure:", f)
    failed = configs["FAILURE"] + inventories["FAILURE"]
    print(f"total: {sum(configs.values()) + sum(inventories.values())} cases, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
