#!/usr/bin/env bash
# The augmented-data results (docs/performance.md, bench/results/larger-data.md) on the real MNIST (local[2]): H=800 trained on distorted digits, tested on
# the real 10k test set.
#
#   bench/augmented.sh stored      augment writes the 60k and 19 distorted copies of each (1.2M rows, 344 MB of
#                                  Parquet, ~40 s), then 8 epochs of mini-batch AdamW on them (~22 min)
#   bench/augmented.sh fly         the same network on the 60k with --augment-on-the-fly: fresh distortions every
#                                  epoch, nothing stored
#
# Prints the generation time, the training wall time, the test accuracy after each epoch and at the end.
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz and mnist_test.csv.gz; OUT (default
# /tmp/spark-digits-augmented) receives the data and the models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
OUT="${OUT:-/tmp/spark-digits-augmented}"
for f in mnist_train.csv.gz mnist_test.csv.gz; do
  [[ -f "$MNIST_DIR/$f" ]] || { echo "missing $MNIST_DIR/$f (set MNIST_DIR)" >&2; exit 2; }
done
mkdir -p "$OUT"
NET="--hidden 800 --kernel float --optimizer adamw --lr 0.001 --l2 0.1 --dropout 0.3 --schedule cosine --warmup 500 --partitions 2"
run() {
  local name=$1; shift
  rm -rf "$OUT/model-$name"
  # shellcheck disable=SC2086
  ./submit.sh train --master 'local[2]' "$@" --test "$MNIST_DIR/mnist_test.csv.gz" $NET --log-every 500 \
      --out "$OUT/model-$name" 2>&1 | tee "$OUT/train-$name.log" | grep -E "evaluation|trained|test accuracy" >&2
  python3 - "$OUT/model-$name/metrics.json" "$name" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: test accuracy {m['test_accuracy'] * 100:.2f}%, training {m['train_seconds']:.0f} s "
      f"({m['ms_per_iteration']:.1f} ms/step, {m['train_rows']} rows)")
PY
}
for what in "${@:-stored}"; do
  case "$what" in
    stored)
      rm -rf "$OUT/aug1200k"
      start=$(date +%s)
      ./submit.sh augment --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --copies 19 --out "$OUT/aug1200k" >&2
      echo "generation: $(( $(date +%s) - start )) s" >&2
      run stored --data "$OUT/aug1200k" --batch-size 512 --epochs 8 ;;
    fly)
      run fly --data "$MNIST_DIR/mnist_train.csv.gz" --augment-on-the-fly --batch-size 512 --epochs 100 ;;
    *) echo "unknown: $what (stored, fly)" >&2; exit 2 ;;
  esac
done
