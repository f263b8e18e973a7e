#!/usr/bin/env bash
# What a full-batch iteration of the real `train` loop costs with the defaults (H=10, the notebooks' network and
# learning rate; --test evaluated every --log-every 10 iterations), on each engine, beside the numpy loop the project
# grew from (bench/peers/seed_numpy.py, the same network, OpenBLAS on the same cores) in the same repetition. Timings
# only: nothing here passes or fails. Each repetition runs numpy, then ours on each engine, each in a fresh process;
# the table gives the medians over the repetitions and the ratios ours / numpy.
#
#   bench/full-batch.sh                  # 3 repetitions, 100 iterations, engines jobs and collective, H=10
#   REPEAT=5 ITERATIONS=200 HIDDEN=128 bench/full-batch.sh
#
# Ours: ./submit.sh train --master local[2] --data mnist_train --test mnist_test --iterations N --engine E; the
# iteration time is metrics.json's ms_per_iteration (the median over the run's iterations; on the collective engine
# the time between rank 0's reports of consecutive iterations, the stage's launch included in a segment's first).
# Also printed: the whole training's wall time / N (train_seconds: evaluations and the stages' launches included).
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz and mnist_test.csv.gz.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
ENGINES="${ENGINES:-jobs collective}"
REPEAT="${REPEAT:-3}"
ITERATIONS="${ITERATIONS:-100}"
HIDDEN="${HIDDEN:-10}"
OUT="${OUT:-target/bench/full-batch}"
mkdir -p "$OUT"
for f in "$MNIST_DIR/mnist_train.csv.gz" "$MNIST_DIR/mnist_test.csv.gz"; do
  [[ -f "$f" ]] || { echo "bench/full-batch.sh: missing $f (set MNIST_DIR)" >&2; exit 2; }
done
# as bench/speed.sh: numpy at its best (OPENBLAS_CORETYPE forces an older kernel on some machines here)
numpy_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
init=classic; [[ "$HIDDEN" != 10 ]] && init=he
./submit.sh --version >/dev/null   # builds the jar once, outside the timings
: > "$OUT/runs.tsv"
for r in $(seq 1 "$REPEAT"); do
  "${numpy_env[@]}" python3 bench/peers/seed_numpy.py --mnist "$MNIST_DIR" --hidden "$HIDDEN" --init "$init" \
      --iters "$ITERATIONS" | tail -1 > "$OUT/numpy-$r.json"
  python3 - "$OUT/numpy-$r.json" "$r" >> "$OUT/runs.tsv" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"numpy\t{sys.argv[2]}\t{m['iter_median_s'] * 1000:.2f}\t-")
PY
  for e in $ENGINES; do
    model="$OUT/model-$e-$r"
    ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --test "$MNIST_DIR/mnist_test.csv.gz" \
        --hidden "$HIDDEN" --iterations "$ITERATIONS" --engine "$e" --out "$model" > "$OUT/train-$e-$r.log" 2>&1 \
      || { tail -20 "$OUT/train-$e-$r.log" >&2; exit 1; }
    python3 - "$model/metrics.json" "$e" "$r" "$ITERATIONS" >> "$OUT/runs.tsv" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
engine, r, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
if m.get("engine") != engine:
    engine += "(ran " + str(m.get("engine")) + ")"
print(f"{engine}\t{r}\t{m['ms_per_iteration']:.2f}\t{m['train_seconds'] * 1000 / n:.2f}")
PY
  done
  tail -n $(( 1 + $(wc -w <<< "$ENGINES") )) "$OUT/runs.tsv" >&2
done
python3 - "$OUT/runs.tsv" "$HIDDEN" "$ITERATIONS" "$REPEAT" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
h, n, reps = sys.argv[2:5]
by = {}
for who, _, ms, whole in rows:
    by.setdefault(who, []).append((float(ms), None if whole == "-" else float(whole)))
numpy = statistics.median(v[0] for v in by["numpy"])
print(f"\nfull-batch iteration, H={h}, {n} iterations, medians over {reps} repetitions (ms)")
print("| who | ms / iteration | / numpy | training wall / iteration | / numpy |")
print("|---|---|---|---|---|")
print(f"| numpy (seed_numpy.py) | {numpy:.1f} | 1.00x | - | - |")
for who, v in by.items():
    if who == "numpy":
        continue
    it = statistics.median(x[0] for x in v)
    whole = statistics.median(x[1] for x in v)
    print(f"| spark-digits --engine {who} | {it:.1f} | {it / numpy:.2f}x | {whole:.1f} | {whole / numpy:.2f}x |")
PY
