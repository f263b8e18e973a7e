#!/usr/bin/env bash
# What a synchronous mini-batch step moves, per engine and per number of tasks P: the bytes the driver receives (task
# results) and the most any task sends and receives (metrics.json bytes_per_step). Bytes, not timings: they do not
# depend on the machine, so local[P] (P task slots in one JVM) stands for P executors here; the barrier stage of the
# collective engine needs all P slots at once.
#
#   bench/bytes-per-step.sh                   P = 2 4 8, H = 800, B = 512, on the 10k MNIST test set (20 steps)
#   PS="2 4 8 16" HIDDEN=128 bench/bytes-per-step.sh
#
# MNIST_DIR (default ../shared/mnist, else the tests' cache) holds mnist_test.csv.gz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MNIST_DIR="${MNIST_DIR:-../shared/mnist}"
[[ -f "$MNIST_DIR/mnist_test.csv.gz" || ! -f "$HOME/.cache/spark-digits/mnist/mnist_test.csv.gz" ]] \
  || MNIST_DIR="$HOME/.cache/spark-digits/mnist"
PS="${PS:-2 4 8}"
HIDDEN="${HIDDEN:-800}"
BATCH="${BATCH:-512}"
OUT="${OUT:-target/bench/bytes-per-step}"
[[ -f "$MNIST_DIR/mnist_test.csv.gz" ]] || { echo "bench/bytes-per-step.sh: missing $MNIST_DIR/mnist_test.csv.gz (set MNIST_DIR)" >&2; exit 2; }
mkdir -p "$OUT"
mvn -q -DskipTests package >&2
echo "H=$HIDDEN B=$BATCH float kernel, adamw, 1 epoch of the 10k test set; bytes per step (means over the steps)"
echo
echo "| P | engine | driver receives | a task sends (most) | a task receives (most) |"
echo "| --- | --- | --- | --- | --- |"
for p in $PS; do
  for e in jobs collective; do
    rm -rf "$OUT/model-$p-$e"
    ./submit.sh train --master "local[$p]" --data "$MNIST_DIR/mnist_test.csv.gz" --partitions "$p" --hidden "$HIDDEN" \
        --batch-size "$BATCH" --kernel float --optimizer adamw --lr 0.001 --epochs 1 --engine "$e" \
        --out "$OUT/model-$p-$e" > "$OUT/train-$p-$e.log" 2>&1 || { tail -5 "$OUT/train-$p-$e.log" >&2; exit 1; }
    python3 - "$OUT/model-$p-$e/metrics.json" "$p" "$e" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
b = m.get("bytes_per_step", {})
def kb(k):
    v = b.get(k)
    return "-" if v is None else f"{v / 1024:,.0f} KiB"
used = m.get("engine")
note = "" if used == sys.argv[3] else f" (ran {used})"
print(f"| {sys.argv[2]} | {sys.argv[3]}{note} | {kb('driver_received')} | {kb('task_sent')} | {kb('task_received') if sys.argv[3] == 'collective' else '-'} |")
PY
  done
done
