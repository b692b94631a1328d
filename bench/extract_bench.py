"""Extraction benchmark: the annotation stages' cost as a ratio to spaCy's own time.

In one process, on the same generated articles:
  1. spaCy alone: `nlp.pipe` over the cleaned texts (the baseline);
  2. tidings: the full pipeline (clean, parse with `nlp.pipe`, entities, times, places, quotes,
     events) in chunks as a worker runs it, with each stage timed.
    python bench/extract_bench.py --n 2000
Prints articles per second for both, each stage's seconds, and the extractors' time (all
stages but parse) as a share of spaCy's. Results go to bench/out/extract.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=16)
    args = parser.parse_args()

    import tidings
    from tidings.extract.parse import load_model
    from tidings.pipeline import build_pipeline
    from tidings.readers.text import doc_from_text

    settings = tidings.load_settings()
    pipeline = build_pipeline(settings)
    articles = list(generate(args.n, seed=11))
    warm = [doc_from_text(a["text"], date=a["date"]) for a in articles[:8]]
    pipeline.run_many(warm)  # loads the model and every gazetteer once, as a worker does at start

    nlp = load_model(settings.model.name)
    cleaned = [pipeline.stages[0].run(doc_from_text(a["text"], date=a["date"])).text for a in articles]
    t0 = time.perf_counter()
    for _ in nlp.pipe(cleaned, batch_size=32):
        pass
    spacy_s = time.perf_counter() - t0

    stage_s: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    for i in range(0, len(articles), args.chunk):
        docs = [doc_from_text(a["text"], date=a["date"]) for a in articles[i:i + args.chunk]]
        for stage in pipeline.stages:
            s0 = time.perf_counter()
            if stage.run_batch is not None:
                docs = stage.run_batch(docs)
            else:
                docs = [stage.run(d) for d in docs]
            stage_s[stage.name] += time.perf_counter() - s0
    total_s = time.perf_counter() - t0
    extractors_s = total_s - stage_s["parse"]
    result = {
        "articles": args.n, "spacy_s": spacy_s, "spacy_per_s": args.n / spacy_s,
        "tidings_s": total_s, "tidings_per_s": args.n / total_s,
        "stages_s": dict(stage_s), "extractors_over_spacy": extractors_s / spacy_s,
    }
    print(f"{args.n} articles: spaCy alone {result['spacy_per_s']:.1f}/s; tidings {result['tidings_per_s']:.1f}/s")
    for name, seconds in stage_s.items():
        print(f"  {name:<12} {seconds:7.2f} s  ({seconds / spacy_s:5.1%} of spaCy)")
    print(f"  extractors (all but parse) cost {result['extractors_over_spacy']:.1%} of spaCy's time")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "extract.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
