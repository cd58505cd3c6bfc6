"""How long ``shopsync validate`` takes on a large repository, and how much memory it needs.

    python benchmarks/bench_validate.py                      # 1,000 and 10,000 articles
    python benchmarks/bench_validate.py --sizes 500,20000
    python benchmarks/bench_validate.py --serial             # each size in one process too

Writes each size's valid article files into a temporary directory (front matter in the
style of ``articles/``: title, author, tags, summary, status published with a past date, a
featured product, the disclaimer and a citation; a Markdown body of about 6 KB with
headings, lists, a table, emoji and links), plus ``articles/pages/disclaimer.md``, then
runs ``python -m shopsync -C DIR validate --json`` in a fresh subprocess per size, so each
run's memory is its own.

Seconds are wall time around the subprocess (CPU seconds, user plus system of it and its
workers, beside them: on a shared machine those vary less). Peak MB is the child's
``ru_maxrss`` from ``os.wait4`` (what ``resource.getrusage(RUSAGE_CHILDREN)`` reports, but
for that one child): on Linux the largest of the process and the workers it waited for.
A parallel run holds several processes at once, so on Linux the whole process tree's
memory is sampled every 50 ms too (tree MB: the sum of each process's PSS, in which a page
the forked workers share with their parent counts once; RSS where there is no PSS). A run
is ok when every file validated and wall seconds and the larger of the two memory figures
are under the targets (10 s, 500 MB).

Prints a table, then one JSON line per run, e.g. ``{"benchmark": "validate", "files":
10000, "seconds": 5.1, "peak_mb": 330.2, "target_seconds": 10.0, "target_mb": 500.0,
"ok": true, ...}`` (``files`` counts the articles; the disclaimer page is one more). Exits 0:
the figures are the result. With ``--serial`` each size also runs with
``SHOPSYNC_LOAD_WORKERS=1``, in one process: the loader as it was before it went parallel.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_articles

REPO = Path(__file__).resolve().parent.parent
WORKERS_ENV = "SHOPSYNC_LOAD_WORKERS"  # shopsync.content.loader.WORKERS_ENV (a test checks)

TARGET_SECONDS = 10.0
TARGET_MB = 500.0
SAMPLE_SECONDS = 0.05


@dataclass
class Run:
    """One ``validate`` subprocess: what it found and what it cost."""

    mode: str
    articles: int
    checked: int  # files the run validated
    valid: bool
    seconds: float
    cpu_seconds: float
    peak_mb: float  # ru_maxrss: the largest single process
    tree_mb: float | None  # sampled sum over the process tree (Linux), None elsewhere

    @property
    def ok(self) -> bool:
        memory = max(self.peak_mb, self.tree_mb or 0.0)
        return self.valid and self.seconds < TARGET_SECONDS and memory < TARGET_MB

    def figure(self) -> dict[str, object]:
        return {
            "benchmark": "validate",
            "mode": self.mode,
            "files": self.articles,
            "checked": self.checked,
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "peak_mb": round(self.peak_mb, 1),
            "tree_mb": round(self.tree_mb, 1) if self.tree_mb is not None else None,
            "target_seconds": TARGET_SECONDS,
            "target_mb": TARGET_MB,
            "ok": self.ok,
        }


def _memory_kb(pid: int) -> int | None:
    """What ``pid`` holds: its proportional set size (a page shared by n processes counts
    1/n), or its RSS where the kernel has no smaps_rollup; None once it is gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in rollup.splitlines() if line[:4] == "Pss:")
    except (OSError, StopIteration):
        pass
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")
    except (OSError, StopIteration):
        return None


def _tree_kb(pid: int) -> int | None:
    """The memory of ``pid`` and all its descendants, from /proc (None where there is none)."""
    total, stack, seen = 0, [pid], False
    while stack:
        current = stack.pop()
        memory = _memory_kb(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            children = ""
        if memory is not None:
            seen, total = True, total + memory
        stack.extend(int(child) for child in children.split())
    return total if seen else None


def run_validate(directory: Path, articles: int, *, serial: bool) -> Run:
    """Validate ``directory`` in a fresh interpreter; times it and measures its memory."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if serial:
        env[WORKERS_ENV] = "1"
    else:
        env.pop(WORKERS_ENV, None)
    command = [sys.executable, "-m", "shopsync", "-C", str(directory), "validate", "--json"]
    tree: list[int] = []
    done = threading.Event()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=REPO
        )

        def sample() -> None:
            while not done.is_set():
                memory = _tree_kb(process.pid)
                if memory is not None:
                    tree.append(memory)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        summary = json.loads(out.read() or b"{}")
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    peak_kb = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(
        mode="serial" if serial else "default",
        articles=articles,
        checked=int(summary.get("files", 0)),
        valid=process.returncode == 0 and summary.get("ok") is True,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=peak_kb / 1024,
        tree_mb=max(tree) / 1024 if tree else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        type=lambda text: [int(part) for part in text.split(",") if part.strip()],
        help="comma-separated numbers of articles (default: 1000,10000)",
    )
    parser.add_argument("--serial", action="store_true", help="also run each size in one process")
    args = parser.parse_args()

    runs: list[Run] = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
            root = Path(tmp)
            write_articles(root, size)
            for serial in [True, False] if args.serial else [False]:
                runs.append(run_validate(root, size, serial=serial))

    print(f"{'mode':<8} {'articles':>8} {'seconds':>8} {'cpu s':>7} {'peak MB':>8} {'tree MB':>8}")
    for run in runs:
        tree = f"{run.tree_mb:8.0f}" if run.tree_mb is not None else f"{'-':>8}"
        print(
            f"{run.mode:<8} {run.articles:>8} {run.seconds:8.2f} {run.cpu_seconds:7.2f} "
            f"{run.peak_mb:8.0f} {tree}" + ("" if run.valid else "  NOT VALID")
        )
    for run in runs:
        print(json.dumps(run.figure()))


if __name__ == "__main__":
    main()
