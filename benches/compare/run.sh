#!/usr/bin/env bash
# The whole benchmark in one run: faqbot against rank-bm25 and bm25s on the same entries and questions, faqbot at
# 1k/10k/100k synthetic entries (index build, latency, memory), and cold start. Prints the tables of BENCHMARKS.md.
#
#   bash benches/compare/run.sh                 # everything (8 to 20 minutes on 2 cores)
#   SIZES="shipped 1000" bash benches/compare/run.sh
#
# Environment: SIZES (shipped and/or entry counts), SEED, RANK_BM25_LIMIT (questions timed for rank-bm25 at
# 10k entries and more, where one question takes tenths of a second; default 200), OUT (results folder).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZES=${SIZES:-"shipped 1000 10000 100000"}
RANK_BM25_LIMIT=${RANK_BM25_LIMIT:-200}
OUT=${OUT:-$ROOT/target/bench}
VENV=$ROOT/benches/compare/.venv
FAQBOT=$OUT/faqbot
SYNTH=$OUT/faqbot-synth
mkdir -p "$OUT"

log() { printf '%s\n' "$*" >&2; }

# --- Python baselines, pinned, in a local virtual environment ------------------------------------------------------
if ! "$VENV/bin/python" -c 'import rank_bm25, bm25s, jieba' 2>/dev/null; then
    log "Installing the Python baselines into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/benches/compare/requirements.txt"
fi

log "Building faqbot and faqbot-synth (release)"
cargo build --release --quiet -p faqbot -p faqbot-synth
# Copies, so that a rebuild while the benchmark runs does not swap a binary under it.
cp "$ROOT/target/release/faqbot" "$FAQBOT"
cp "$ROOT/target/release/faqbot-synth" "$SYNTH"
# The generator's own default seed unless told otherwise: one source for it.
SEED=${SEED:-$("$SYNTH" seed)}

# Runs a command under /usr/bin/time -v; prints "<wall seconds> <peak RSS KiB>" and keeps the command's stdout in $2.
measure() {
    local label=$1 stdout=$2
    shift 2
    local timing="$OUT/$label.time"
    /usr/bin/time -v -o "$timing" "$@" >"$stdout"
    python3 - "$timing" <<'EOF'
import sys
wall = rss = None
for line in open(sys.argv[1]):
    key, _, value = line.strip().rpartition(": ")
    if key == "Elapsed (wall clock) time (h:mm:ss or m:ss)":
        seconds = 0.0
        for part in value.split(":"):
            seconds = seconds * 60 + float(part)
        wall = seconds
    elif key == "Maximum resident set size (kbytes)":
        rss = int(value)
print(wall, rss)
EOF
}

# Generated sets are kept between runs, keyed by the generator's source so that a changed generator regenerates.
GENERATOR=$(cat "$ROOT"/crates/faqbot-synth/src/*.rs | sha256sum | cut -c1-12)

for size in $SIZES; do
    if [ "$size" = shipped ]; then
        faq=$ROOT/faq
        questions=$ROOT/tests/eval/questions.jsonl
    else
        faq=$OUT/synth-$size-$SEED-$GENERATOR/faq
        questions=$OUT/synth-$size-$SEED-$GENERATOR/questions.jsonl
        if [ ! -f "$questions" ]; then
            log "Generating $size entries (seed $SEED)"
            rm -rf "$OUT/synth-$size-$SEED-$GENERATOR"
            "$SYNTH" generate --entries "$size" --seed "$SEED" --out "$faq.partial" --questions "$questions.partial" >&2
            mv "$faq.partial" "$faq"
            mv "$questions.partial" "$questions"
        fi
    fi
    index=$OUT/index-$size
    rm -rf "$index"
    log "[$size] faqbot index"
    measured=$(measure "index-$size" "$OUT/index-$size.out" "$FAQBOT" --faq "$faq" --index "$index" index)
    read -r build_s build_rss <<<"$measured"
    printf '{"size": "%s", "build_s": %s, "build_peak_rss_kib": %s}\n' "$size" "$build_s" "$build_rss" >"$OUT/build-$size.json"
    log "[$size] faqbot-synth latency"
    "$SYNTH" latency --faq "$faq" --index "$index" --questions "$questions" >"$OUT/faqbot-$size.json"
    for system in bm25s rank-bm25; do
        limit=0 warmup=200
        if [ "$system" = rank-bm25 ] && [ "$size" != shipped ] && [ "$size" -ge 10000 ]; then
            limit=$RANK_BM25_LIMIT warmup=20
        fi
        log "[$size] $system"
        "$VENV/bin/python" "$ROOT/benches/compare/baselines.py" --system "$system" --faq "$faq" \
            --questions "$questions" --limit "$limit" --warmup "$warmup" >"$OUT/$system-$size.json"
    done
done

# --- Cold start: one `faqbot ask` with an existing index --------------------------------------------------------------
log "Cold start"
"$FAQBOT" --faq "$ROOT/faq" --index "$OUT/index-cold" index >/dev/null
python3 - "$FAQBOT" "$ROOT/faq" "$OUT/index-cold" >"$OUT/cold.json" <<'EOF'
import json, statistics, subprocess, sys, time
faqbot, faq, index = sys.argv[1:]
result = {}
for language, question in [("en", "Can I switch my subscription account to a service account?"), ("zh", "订阅号可以改成服务号吗？")]:
    times = []
    for _ in range(15):
        started = time.perf_counter()
        subprocess.run([faqbot, "--faq", faq, "--index", index, "ask", question], check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1e3)
    result[f"ask_{language}_ms"] = statistics.median(times)
print(json.dumps(result))
EOF

python3 "$ROOT/benches/compare/report.py" "$OUT" $SIZES | tee "$OUT/results.md"
