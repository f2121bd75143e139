"""The Python baselines faqbot is compared with: rank-bm25 and bm25s over the same faq/ folder and the same questions.

Each entry is one document: its questions joined, which is what faqbot matches first. Text is tokenised the way a
Python user would: lower case, ASCII letters and digits as words, runs of Han characters cut by jieba. Latency is
measured per question in one warm process (tokenising, scoring and taking the top 4, as `faqbot-synth latency`
times `engine.ask`). A baseline has no notion of declining, so it declines when its best score is under a
threshold; the threshold reported is the best one on the question set itself, which favours the baselines.

Prints one JSON object, as `faqbot-synth latency` does.
"""

import argparse
import json
import math
import re
import resource
import statistics
import sys
import time
import tomllib
from pathlib import Path

import jieba

TOP = 4
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9]+")


def tokenize(text):
    text = text.lower()
    tokens = []
    position = 0
    for run in HAN_RUN.finditer(text):
        tokens.extend(WORD.findall(text[position : run.start()]))
        tokens.extend(t for t in jieba.lcut(run.group()) if t.strip())
        position = run.end()
    tokens.extend(WORD.findall(text[position:]))
    return tokens


def load_entries(faq):
    """(id, document) for every entry file, read from the front matter as faqbot reads it."""
    entries = []
    for path in sorted(Path(faq).glob("*.md")):
        if path.stem.lower() == "readme" or path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        parts = text.split("+++\n", 2)
        if len(parts) < 3:
            sys.exit(f"{path}: no +++ front matter; run `faqbot check --faq {faq}`")
        front = tomllib.loads(parts[1])
        entries.append((front["id"], " ".join(front["questions"])))
    if not entries:
        sys.exit(f"{faq}: no entries")
    return entries


def load_questions(path, limit):
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return cases[:limit] if limit else cases


class RankBm25:
    name = "rank-bm25"

    def __init__(self, documents):
        from rank_bm25 import BM25Okapi

        self.bm25 = BM25Okapi(documents)

    def top(self, tokens):
        import numpy as np

        if not tokens:
            return [], []
        scores = self.bm25.get_scores(tokens)
        best = np.argsort(scores)[::-1][:TOP]
        return best.tolist(), scores[best].tolist()


class Bm25s:
    name = "bm25s"

    def __init__(self, documents):
        import bm25s

        self.retriever = bm25s.BM25()
        self.retriever.index(documents, show_progress=False)
        self.vocabulary = self.retriever.vocab_dict
        self.k = min(TOP, len(documents))

    def top(self, tokens):
        # bm25s refuses words it has not indexed; a user filters them out first.
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return [], []
        indices, scores = self.retriever.retrieve([known], k=self.k, show_progress=False)
        return indices[0].tolist(), scores[0].tolist()


SYSTEMS = {system.name: system for system in (RankBm25, Bm25s)}


def best_threshold(outcomes):
    """The decline threshold with the best top-1 accuracy plus decline rate on these very questions."""
    candidates = sorted({0.0} | {score for _, _, score in outcomes})
    best = None
    for threshold in candidates:
        accuracy, decline_rate = score(outcomes, threshold)
        if best is None or accuracy + decline_rate > best[1] + best[2] + 1e-12:
            best = (threshold, accuracy, decline_rate)
    return best


def score(outcomes, threshold):
    answerable = correct = out_of_domain = declined = 0
    for expect, top_id, top_score in outcomes:
        answered = top_id is not None and top_score >= threshold and top_score > 0
        if expect:
            answerable += 1
            correct += answered and top_id in expect
        else:
            out_of_domain += 1
            declined += not answered
    return ratio(correct, answerable), ratio(declined, out_of_domain)


def ratio(part, whole):
    """As faqbot's eval: an empty category counts as perfect."""
    return part / whole if whole else 1.0


def percentile(sorted_values, fraction):
    """Nearest rank, as `faqbot-synth latency`."""
    rank = math.ceil(fraction * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", choices=sorted(SYSTEMS), required=True)
    parser.add_argument("--faq", required=True, help="the knowledge base folder")
    parser.add_argument("--questions", required=True, help="JSON Lines of {q, expect}")
    parser.add_argument("--limit", type=int, default=0, help="time only the first N questions (0: all)")
    parser.add_argument("--warmup", type=int, default=200, help="questions answered untimed first")
    args = parser.parse_args()

    jieba.setLogLevel(60)
    jieba.initialize()
    entries = load_entries(args.faq)
    ids = [entry_id for entry_id, _ in entries]
    started = time.perf_counter()
    system = SYSTEMS[args.system]([tokenize(document) for _, document in entries])
    build_seconds = time.perf_counter() - started
    cases = load_questions(args.questions, args.limit)

    for case in (cases * (1 + args.warmup // max(1, len(cases))))[: args.warmup]:
        system.top(tokenize(case["q"]))
    times = []
    outcomes = []
    for case in cases:
        started = time.perf_counter()
        indices, scores = system.top(tokenize(case["q"]))
        times.append((time.perf_counter() - started) * 1e6)
        outcomes.append((case["expect"], ids[indices[0]] if indices else None, scores[0] if scores else 0.0))
    threshold, accuracy, decline_rate = best_threshold(outcomes)
    ordered = sorted(times)
    print(
        json.dumps(
            {
                "system": args.system,
                "faq": args.faq,
                "entries": len(entries),
                "questions": len(cases),
                "build_s": build_seconds,
                "p50_us": statistics.median(ordered),
                "p90_us": percentile(ordered, 0.90),
                "p99_us": percentile(ordered, 0.99),
                "max_us": ordered[-1],
                "mean_us": statistics.fmean(ordered),
                "threshold": threshold,
                "accuracy": accuracy,
                "decline_rate": decline_rate,
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
