"""Copy benchmark: what a syndicated copy costs next to a fresh article, and how the copy index scales.

    python bench/copy_bench.py                       # cost ratio, then index sizes 10000 and 100000
    python bench/copy_bench.py --sizes 10000 --rounds 2
    python bench/copy_bench.py --calibrate           # shingle size / threshold calibration on the dev set

1. Cost of a copy, in one process, on tests/fixtures/copies/dev (articles of realistic length):
   - fresh: `tidings.process(raw)`: read, clean and every annotation stage (spaCy parse,
     entities, times, places, quotes), the model loaded once beforehand;
   - copy: read + clean + `fingerprint` + `CopyIndex.find` + `add` + `diff_paragraphs` against
     the canonical's text (what the ingest writer does before deciding not to re-extract);
   - copy + what it adds: the same plus `tidings.process` of the spans `diff_paragraphs`
     returns (an extended copy's extra paragraph is still read);
   - copy with reuse (what `tidings.ingest` does): read + clean + fingerprint + find + add +
     loading the matched original's Doc from its stored JSON + `plan_reuse` (align, shift
     its spans) + the pipeline on the plan's work item (the added text only) + merge. A copy
     that `plan_reuse` declines is processed in full, and that cost is counted.
   Reported as milliseconds per article and as ratios to the fresh article.
2. Index throughput and memory, for N articles:
   - "diverse": article dicts of bench/generate.py with their text replaced by word-frequency
     sampled prose (so unrelated articles share no template), 10% of them copies (trimmed,
     extended or lightly edited) of an earlier article: the realistic case, also scored
     (precision and recall of the injected copy pairs);
   - "template": bench/generate.py's text as is. Its articles are one template with a few
     slots filled in, so they share most of their text and the index (rightly) chains them
     into one copy group: the worst case for candidate counts (MAX_CANDIDATES bounds it).
   Reported: fingerprint ms/article, index find+add ms/article, bytes/article (tracemalloc in
   a separate pass, and `CopyIndex.nbytes()`), serialised bytes/article, `from_bytes` time.
Results are also written to bench/out/copies.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402

from tidings.clean import clean  # noqa: E402
from tidings.corpus.copies import CopyIndex, diff_paragraphs  # noqa: E402
from tidings.corpus.fingerprint import fingerprint  # noqa: E402
from tidings.corpus.reuse import plan_reuse  # noqa: E402
from tidings.doc import Doc  # noqa: E402
from tidings.pipeline import build_pipeline  # noqa: E402
from tidings.readers.text import doc_from_text  # noqa: E402

DEV = ROOT / "tests" / "fixtures" / "copies" / "dev"


# --- 1. cost of a copy ----------------------------------------------------------------------------


def copy_cost(rounds: int) -> dict[str, Any]:
    import tidings
    from tidings.evaluate.copies import load_labels

    settings = tidings.load_settings()
    raws = {p.stem: p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))}
    labels = load_labels(DEV / "pairs.tsv")
    copies = [lab for lab in labels if lab.copy in raws]
    originals = sorted({lab.original for lab in copies})
    tidings.process(raws[originals[0]], settings=settings)  # load the model and lexicons once

    fresh_ms: list[float] = []
    for _ in range(rounds):
        for name in originals:
            t0 = time.perf_counter()
            tidings.process(raws[name], settings=settings)
            fresh_ms.append((time.perf_counter() - t0) * 1000)

    # The index holds every article that is not one of the measured copies, as in a store.
    cleaned = {name: clean(doc_from_text(raw), settings.clean) for name, raw in raws.items()}
    copy_names = {lab.copy for lab in copies}
    base = [(name, fingerprint(d.text), d.published) for name, d in cleaned.items() if name not in copy_names]

    pipeline = build_pipeline(settings)
    stored = {name: json.dumps(tidings.process(raws[name], settings=settings).to_json())
              for name in originals}
    reuse_ms: list[float] = []
    shares: list[float] = []
    declined = 0
    for _ in range(rounds):
        for lab in copies:
            index = CopyIndex.from_fingerprints(base)
            t0 = time.perf_counter()
            doc = clean(doc_from_text(raws[lab.copy]), settings.clean)
            doc.stages.append("clean")
            fp = fingerprint(doc.text)
            match = index.find(fp)
            index.add(lab.copy, fp, doc.published)
            assert match is not None, f"{lab.copy} not recognised as a copy"
            original = Doc.from_json(json.loads(stored[lab.original]))
            plan = plan_reuse(doc, original)
            if plan is None:
                pipeline(doc)
                declined += 1
                shares.append(0.0)
            else:
                plan.merge(pipeline(plan.work_item()))
                shares.append(plan.reused_share)
            reuse_ms.append((time.perf_counter() - t0) * 1000)

    clean_ms, check_ms, added_ms, added_pieces = [], [], [], 0
    for round_no in range(rounds):
        for lab in copies:
            index = CopyIndex.from_fingerprints(base)
            canonical_text = cleaned[lab.original].text
            t0 = time.perf_counter()
            doc = clean(doc_from_text(raws[lab.copy]), settings.clean)
            t1 = time.perf_counter()
            fp = fingerprint(doc.text)
            match = index.find(fp)
            index.add(f"{lab.copy}#{round_no}", fp, doc.published)
            spans = diff_paragraphs(canonical_text, doc.text) if match else []
            t2 = time.perf_counter()
            if spans:
                tidings.process("\n\n".join(doc.text[s:e] for s, e in spans), settings=settings)
                added_pieces += 1
            t3 = time.perf_counter()
            assert match is not None, f"{lab.copy} not recognised as a copy"
            clean_ms.append((t1 - t0) * 1000)
            check_ms.append((t2 - t1) * 1000)
            added_ms.append((t3 - t2) * 1000)

    fresh = statistics.mean(fresh_ms)
    check = statistics.mean(check_ms)
    with_clean = statistics.mean(c + k for c, k in zip(clean_ms, check_ms, strict=True))
    with_added = statistics.mean(c + k + a for c, k, a in zip(clean_ms, check_ms, added_ms, strict=True))
    reuse = statistics.mean(reuse_ms)
    return {
        "copy_with_reuse_ms": reuse, "ratio_with_reuse": reuse / fresh,
        "reused_share_mean": statistics.mean(shares), "reuse_declined": declined // rounds,
        "fresh_articles": len(originals), "copies": len(copies), "rounds": rounds,
        "fresh_ms": fresh, "copy_check_ms": check, "copy_with_clean_ms": with_clean,
        "copy_with_added_text_ms": with_added, "copies_with_added_text": added_pieces // rounds,
        "ratio_check": check / fresh, "ratio_with_clean": with_clean / fresh,
        "ratio_with_added_text": with_added / fresh,
    }


# --- 2. index throughput and memory ------------------------------------------------------------------


def _vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted(DEV.glob("*.txt")):
        words += path.read_text(encoding="utf-8").split()[2:]
    return sorted(set(words))


def _prose(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 8)):
        sentences = []
        for _ in range(rng.randint(1, 3)):
            words = rng.choices(vocab, weights, k=rng.randint(12, 30))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def _copy_of(rng: random.Random, text: str) -> str:
    paras = text.split("\n\n")
    choice = rng.random()
    if choice < 0.4:  # trimmed
        return "\n\n".join(paras[: max(2, len(paras) // 2)])
    if choice < 0.7:  # extended
        return text + "\n\nA local official said the matter would be discussed again at a council meeting next week."
    words = text.split(" ")  # light edit: one word changed, a headline line added
    words[rng.randrange(len(words))] = "changed"
    return "Headline of the republished copy\n\n" + " ".join(words)


def corpus(n: int, kind: str, seed: int = 11) -> tuple[list[tuple[str, str, dt.date]], list[tuple[str, str]]]:
    """`(id, text, published)` for n articles (see the module docstring for the two kinds), and
    the `(copy, original)` pairs injected into the diverse corpus (None for the template one)."""
    articles = [(a["id"], a["text"], dt.date.fromisoformat(a["date"])) for a in generate(n)]
    if kind == "template":
        return articles, []
    rng = random.Random(seed)
    vocab = _vocabulary()
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    rng.shuffle(weights)  # Zipf-like frequencies over a shuffled vocabulary
    out: list[tuple[str, str, dt.date]] = []
    gold: list[tuple[str, str]] = []
    for article_id, _, published in articles:
        if out and rng.random() < 0.1:
            original = rng.choice(out)
            text = _copy_of(rng, original[1])
            gold.append((article_id, original[0]))
        else:
            text = _prose(rng, vocab, weights)
        out.append((article_id, text, published))
    return out, gold


def index_bench(n: int, kind: str) -> dict[str, Any]:
    articles, gold_pairs = corpus(n, kind)
    t0 = time.perf_counter()
    fps = [fingerprint(text) for _, text, _ in articles]
    fp_s = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    index = CopyIndex()
    found = 0
    for (article_id, _, published), fp in zip(articles, fps, strict=True):
        found += index.find(fp) is not None
        index.add(article_id, fp, published)
    index_s = time.perf_counter() - t0
    # Memory in a second pass: tracemalloc slows allocation, so it stays out of the timing.
    del index
    gc.collect()
    tracemalloc.start()
    index = CopyIndex()
    for (article_id, _, published), fp in zip(articles, fps, strict=True):
        index.add(article_id, fp, published)
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data = index.to_bytes()
    t0 = time.perf_counter()
    restored = CopyIndex.from_bytes(data)
    load_s = time.perf_counter() - t0
    assert restored.groups() == index.groups()
    groups = index.groups()
    quality: dict[str, Any] = {}
    if gold_pairs:
        from tidings.evaluate.copies import _components, _pairs_of

        gold = _pairs_of(_components(gold_pairs, [a[0] for a in articles]))
        predicted = _pairs_of(groups)
        quality = {"pair_precision": len(gold & predicted) / max(1, len(predicted)),
                   "pair_recall": len(gold & predicted) / max(1, len(gold))}
    return {**quality,
        "articles": n, "corpus": kind, "fingerprint_ms": fp_s / n * 1000,
        "index_ms": index_s / n * 1000, "index_per_s": n / index_s,
        "copies_found": found, "groups": len(groups), "largest_group": max(map(len, groups), default=1),
        "bytes_per_article_traced": traced / n, "bytes_per_article_nbytes": index.nbytes() / n,
        "serialised_bytes_per_article": len(data) / n, "from_bytes_s": load_s,
    }


# --- calibration -------------------------------------------------------------------------------------


def calibrate() -> None:
    import itertools

    from tidings.corpus.fingerprint import body_words, shingles
    from tidings.evaluate.copies import _components, _pairs_of, load_fixture_set, pair_similarities

    articles, labels = load_fixture_set(DEV)
    gold_pairs = [(lab.copy, lab.original) for lab in labels]
    gold = _pairs_of(_components(gold_pairs, [a[0] for a in articles]))
    print("exact shingle sets: least contained copy pair vs most contained non-copy pair")
    for size in (3, 4, 5, 6, 8):
        sets = {a[0]: shingles(body_words(a[1]), size) for a in articles}
        copy_min, other_max = 1.0, 0.0
        for a, b in itertools.combinations(sorted(sets), 2):
            c = len(sets[a] & sets[b]) / max(1, min(len(sets[a]), len(sets[b])))
            if frozenset((a, b)) in gold:
                copy_min = min(copy_min, c)
            else:
                other_max = max(other_max, c)
        print(f"  {size} words: copies >= {copy_min:.3f}, non-copies <= {other_max:.3f}, gap {copy_min - other_max:.3f}")
    copies, others = pair_similarities(articles, gold_pairs)
    print("MinHash estimates (SHINGLE_WORDS, NUM_PERM as shipped):")
    for (a, b), j, c in copies[:3]:
        print(f"  least contained copy     {a} ~ {b}: jaccard {j:.3f}, containment {c:.3f}")
    for (a, b), j, c in others[-3:]:
        print(f"  most contained non-copy  {a} ~ {b}: jaccard {j:.3f}, containment {c:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--template-size", type=int, default=10000,
                        help="articles for the template (worst-case) corpus; 0 skips it")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of the cost measurement")
    parser.add_argument("--skip-cost", action="store_true", help="skip the copy-cost part (no spaCy)")
    parser.add_argument("--calibrate", action="store_true", help="only print the calibration figures")
    args = parser.parse_args()
    if args.calibrate:
        calibrate()
        return
    results: dict[str, Any] = {"index": []}
    if not args.skip_cost:
        cost = copy_cost(args.rounds)
        results["cost"] = cost
        print(f"fresh article (clean + annotate): {cost['fresh_ms']:.1f} ms "
              f"(mean of {cost['fresh_articles']} originals x {cost['rounds']})")
        print(f"copy check (fingerprint + find + add + diff): {cost['copy_check_ms']:.2f} ms "
              f"= {cost['ratio_check']:.4f} of a fresh article")
        print(f"  + read and clean: {cost['copy_with_clean_ms']:.2f} ms = {cost['ratio_with_clean']:.4f}")
        print(f"  + annotating what the copy adds ({cost['copies_with_added_text']} of {cost['copies']} "
              f"copies add text): {cost['copy_with_added_text_ms']:.2f} ms = {cost['ratio_with_added_text']:.3f}")
        print(f"copy with reuse, as ingest does it (load original, align, shift spans, read added "
              f"text, merge): {cost['copy_with_reuse_ms']:.2f} ms = {cost['ratio_with_reuse']:.3f} of a "
              f"fresh article; mean reused share {cost['reused_share_mean']:.2f}, "
              f"{cost['reuse_declined']} of {cost['copies']} copies read in full")
    runs = [(n, "diverse") for n in args.sizes] + ([(args.template_size, "template")] if args.template_size else [])
    for n, kind in runs:
        r = index_bench(n, kind)
        results["index"].append(r)
        print(f"index {kind} n={n}: fingerprint {r['fingerprint_ms']:.3f} ms/article, find+add "
              f"{r['index_ms']:.3f} ms/article ({r['index_per_s']:.0f}/s); {r['copies_found']} copies found, "
              f"{r['groups']} groups (largest {r['largest_group']}); memory {r['bytes_per_article_traced']:.0f} B/article "
              f"traced ({r['bytes_per_article_nbytes']:.0f} estimated), serialised "
              f"{r['serialised_bytes_per_article']:.0f} B/article, from_bytes {r['from_bytes_s']:.2f} s"
              + (f"; injected copies: pair precision {r['pair_precision']:.4f}, recall {r['pair_recall']:.4f}"
                 if "pair_precision" in r else ""))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "copies.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
