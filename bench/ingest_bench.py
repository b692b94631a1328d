"""Ingest benchmark: articles per second and peak memory, against spaCy alone on the same articles.

Each corpus size runs in a fresh child process so peak memory is per size:
    python bench/ingest_bench.py                 # sizes 1000 and 10000, workers from settings
    python bench/ingest_bench.py --sizes 500 --workers 1
Reports: ingest articles/s, spaCy `nlp.pipe` articles/s on the same texts in the same process
(same number of processes), their ratio, and peak RSS of the writer and of the largest worker.
Results are also written to bench/out/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def child(n: int, workers: int, baseline: bool) -> dict[str, float]:
    import tidings
    from tidings.extract.parse import load_model

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with corpus.open("w") as fh:
            for article in generate(n):
                fh.write(json.dumps(article) + "\n")
        settings = tidings.load_settings(overrides=(f"ingest.workers={workers}",))
        t0 = time.perf_counter()
        report = tidings.ingest([str(corpus)], Path(tmp) / "bench.db", settings=settings)
        ingest_s = time.perf_counter() - t0
        assert report.new == n, report
        rss_writer = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        db_mb = (Path(tmp) / "bench.db").stat().st_size / 2**20
        result = {"articles": n, "workers": workers, "ingest_s": ingest_s, "ingest_per_s": n / ingest_s,
                  "peak_rss_writer_mb": rss_writer, "peak_rss_worker_mb": rss_worker, "db_mb": db_mb}
        if baseline:
            texts = [a["text"] for a in generate(n)]
            nlp = load_model(settings.model.name)
            t0 = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=64, n_process=workers):
                pass
            spacy_s = time.perf_counter() - t0
            result.update(spacy_s=spacy_s, spacy_per_s=n / spacy_s, ingest_over_spacy=ingest_s / spacy_s)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-baseline", action="store_true", help="Skip the spaCy-alone run.")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.workers, not args.no_baseline)))
        return
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--workers", str(args.workers)]
        if args.no_baseline:
            cmd.append("--no-baseline")
        rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1]))
        row = rows[-1]
        line = (f"{n:>7} articles  workers {row['workers']}  ingest {row['ingest_per_s']:8.1f}/s  "
                f"writer peak {row['peak_rss_writer_mb']:6.0f} MB  worker peak {row['peak_rss_worker_mb']:6.0f} MB")
        if "spacy_per_s" in row:
            line += f"  spaCy alone {row['spacy_per_s']:8.1f}/s  ingest/spaCy time {row['ingest_over_spacy']:.2f}"
        print(line, flush=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
