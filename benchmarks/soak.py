"""The fault soak at length: 400 seeded schedules (``tests/soak.py``), with its figures.

    python benchmarks/soak.py                         # schedules 0..399
    python benchmarks/soak.py --schedules 50 --start 1000
    python benchmarks/soak.py --start 17 --schedules 1 -v   # replay one seed, with its log

Each schedule is a fresh sandbox store, a repository of a few articles, rounds of admin
edits, local edits and pushes under random faults (429, 5xx, resets, timeouts, malformed
bodies, commit-then-fail, THROTTLED, 401), then one push without faults and the final
``plan --detailed-exitcode``. Prints the schedules run, the violations (with their seeds),
requests sent, faults injected, retries, pushes and the wall time; exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.soak import Figures, timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=400)
    parser.add_argument("--start", type=int, default=0, help="the first seed")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every violation")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    total = Figures()
    violations: list[tuple[int, str]] = []
    slowest = (0.0, args.start)
    for seed in range(args.start, args.start + args.schedules):
        figures, seconds, violation = timed(seed)
        total.add(figures)
        slowest = max(slowest, (seconds, seed))
        if violation is not None:
            violations.append((seed, str(violation)))
            print(f"seed {seed}: {str(violation).splitlines()[0]}", flush=True)
    wall = time.perf_counter() - started

    print(
        f"schedules      {args.schedules} (seeds {args.start}..{args.start + args.schedules - 1})"
    )
    print(
        f"violations     {len(violations)}"
        + (f" (seeds {[s for s, _ in violations]})" if violations else "")
    )
    print(f"requests       {total.requests}")
    print(f"faults         {total.faults} injected")
    print(f"retries        {total.retries}")
    print(f"pushes         {total.pushes}")
    print(
        f"wall time      {wall:.1f} s ({wall / max(1, args.schedules):.2f} s a schedule, "
        f"slowest {slowest[0]:.2f} s: seed {slowest[1]})"
    )
    if args.verbose:
        for _seed, text in violations:
            print("\n" + text)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
