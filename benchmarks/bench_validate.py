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

REPO = Path(__file__).resolve().parent.parent
WORKERS_ENV = "SHOPSYNC_LOAD_WORKERS"  # shopsync.content.loader.WORKERS_ENV (a test checks)

TARGET_SECONDS = 10.0
TARGET_MB = 500.0
SAMPLE_SECONDS = 0.05

ARTICLE = """---
title: "Study {n}: Can Electrical Stimulation Reach the Deep Spine Muscles? Part {n}"
author: Oriems Fit Research Team
tags: [research-digest, back-pain, ems, study-{tag}]
summary: |
  Study {n} used real-time ultrasound to watch whether electrical stimulation can switch on
  the deep stabilising muscles of the lower back.
status: published
publish_date: 2025-01-20T09:00:00+11:00
featured_products: [original-oriems-ultimate-kit]
disclaimer: disclaimer
citation:
  pmid: {pmid}
  title: The effects of electrical stimulation on deep lumbar stabilizing muscles, part {n}
  journal: Journal of Physical Therapy Science
  year: 2016
---

## A University Study Looked at the Deep Muscles Most People Cannot Activate ({n})

**ORIEMS FIT RESEARCH DIGEST — FOR PEOPLE WITH BACK OR SCIATIC PAIN**

If you have back pain or sciatic pain, you may have tried:

- Core exercises
- Stretching
- Physiotherapy
- Walking or gym programs

Yet the pain often returns. This research does not promise pain relief, but it explains
one hidden reason why pain can persist. This article is part of the
[Oriems Fit Research Digest](https://example.com/blogs/research-digest), where we explain
real research in simple language to help you better understand your body.

## A SIMPLE QUESTION MANY PEOPLE WITH PAIN ASK

> “Why does my back still feel unstable or weak, even when I exercise?”

Doctors and researchers have found one common issue:

👉 The deepest support muscles of the spine often stop working properly.

## WHAT ARE “DEEP LUMBAR STABILIZING MUSCLES”?

These are small muscles deep inside your body, close to the spine:

1. Lumbar multifidus
2. Transversus abdominis
3. Obliquus internus

They act like 🧱 internal braces that protect the spine. They do not create big movement;
they control tiny, important movements between spinal bones. When these muscles are
inactive:

- The spine moves more than it should
- Nerves become easier to irritate
- Pain can keep coming back

This is often seen in chronic back pain and *sciatic-type* pain.

## WHAT DID THIS STUDY TRY TO FIND OUT?

**Question:** can neuromuscular electrical stimulation (NMES) activate these deep spine
muscles when exercise alone struggles? The researchers wanted to see, not guess, so they
used real-time ultrasound imaging to watch muscles activate live.

## WHO WAS STUDIED?

- {people} older adults
- Average age: 66
- People with lumbar degenerative kyphosis, a condition linked to:
  - Stooped posture
  - Weak spinal muscles
  - Chronic low back pain

These are people very similar to many who live with long-term back discomfort.

Why does this matter? Because these small muscles switch on a split second before you
move, bracing each segment of the spine. When that timing is lost, bigger muscles such as
the erector spinae try to take over, and they are built for movement rather than for
fine control. 🏋️ Strong but unstable is a common result.

## WHAT DID THE PARTICIPANTS DO?

Small electrical pads were placed on the abdomen, the lower back, or both together. The
stimulation caused muscles to contract, and researchers watched the muscles on ultrasound
to see which ones actually turned on.

## WHAT DID THE STUDY FIND? (IMPORTANT FOR PAIN SUFFERERS)

### ✅ Deep spine muscles activated

The lumbar multifidus, a key stabilizing muscle often “switched off” in pain sufferers,
became thicker and more active during stimulation.

### ✅ Deep abdominal support muscles activated

Muscles that help protect the spine from the front also activated.

### ✅ Best activation happened when both areas were stimulated

When abdomen and lower back were stimulated together, all key stabilizing muscles
activated at once. This matters because these muscles are very difficult to activate
voluntarily, especially when pain is present.

## WHAT DOES THIS MEAN FOR PEOPLE WITH BACK OR SCIATIC PAIN?

This study does **not** say NMES treats pain. What it helps explain is this: when deep
stabilizing muscles are inactive, the spine becomes harder to control, and nerves like
the sciatic nerve may become easier to irritate. By showing that these muscles can be
activated, the study helps explain:

- Why instability can persist
- Why pain can return
- Why some people feel their back is “not supported”

### What the ultrasound showed

1. At rest, the multifidus of most participants was thin and barely changed shape.
2. With stimulation of the lower back, its thickness rose clearly within seconds.
3. With abdomen and lower back together, the transversus abdominis and obliquus internus
   thickened as well, and the effect held for the whole session.

Ultrasound measures *thickness*, not strength: a thicker muscle during contraction is a
sign that it is working, which is exactly what the researchers wanted to see. It does not
tell us how the participants felt afterwards, and the study did not ask. 🔬 Read it as a
look inside the body, not as a treatment result.

## WHY THIS MATTERS EVEN IF YOU’VE DONE PHYSIO

Many people with pain try exercises correctly, still cannot “find” these deep muscles,
and feel stronger but not more stable. 👉 Some muscles are simply hard to access without
assistance.

## IMPORTANT BOUNDARY (PLEASE READ)

❌ This study does NOT claim:

- Pain relief
- Sciatica treatment
- Nerve healing
- Medical outcomes

✅ It DOES show:

- Deep stabilizing muscles can activate with NMES
- Activation can be objectively measured
- These muscles are closely linked to spinal control

## 📊 SIMPLE STUDY SUMMARY

| What Was Studied | What Was Found |
|---|---|
| Deep spine muscles | Activated during NMES |
| People with back pain | Muscles often inactive at rest |
| Best stimulation | Abdomen + lower back together |
| Measurement | Real-time ultrasound |
| Participants | {people} adults, study {n} |

👉 Share this Research Digest with your friends: <https://bit.ly/48OTTIE>

## ⭐ FEATURED PRODUCT

**Featured Product: Original Oriems Ultimate Kit.** Designed to support muscle engagement
and body awareness using EMS technology. General wellness and fitness use only.

<!-- shopsync:featured-products -->

## A FINAL THOUGHT FOR PEOPLE IN PAIN

This research reminds us of something important: pain is not always about damage.
Sometimes it’s about muscles that stopped helping. Understanding this can change how
people think about their bodies — without false hope, and without pressure. Read
[the original study](https://pubmed.ncbi.nlm.nih.gov/{pmid}/) or
[our other articles](https://example.com/blogs/research-digest?page={n}).
"""


def write_articles(root: Path, count: int) -> None:
    """``count`` valid articles and the disclaimer page under ``root/articles``."""
    folder = root / "articles"
    (folder / "pages").mkdir(parents=True)
    disclaimer = REPO / "articles" / "pages" / "disclaimer.md"
    (folder / "pages" / "disclaimer.md").write_bytes(disclaimer.read_bytes())
    for n in range(count):
        text = ARTICLE.format(n=n, tag=n % 50, pmid=27064323 + n, people=20 + n % 30)
        (folder / f"study-{n:05d}.md").write_text(text, encoding="utf-8")


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
