#!/usr/bin/env bash
# Reruns the convergence results (docs/performance.md, bench/results/convergence.md) on the real MNIST (train on the 60k, test on the 10k, local[2])
# and prints the results table: command, test accuracy, training wall time, and the training time at
# which the test accuracy first reached 92.7% (MLlib's figure at H=10), from history.csv.
#
#   bench/convergence.sh              all recipes (about an hour on 2 cores)
#   bench/convergence.sh h10 h128     some of them (names: h10-5s h10-fast h10 h10-local h10-lbfgs h128 h800
#                                     h800-long h800-dropout)
# The older recipes carry --partitions 4, the partition count they were measured with when it was the
# default; the newer ones use the default (one partition per core: 2 on local[2]).
#
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz and mnist_test.csv.gz; OUT (default
# /tmp/spark-digits-convergence) receives one model directory per recipe.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
OUT="${OUT:-/tmp/spark-digits-convergence}"
for f in mnist_train.csv.gz mnist_test.csv.gz; do
  [[ -f "$MNIST_DIR/$f" ]] || { echo "missing $MNIST_DIR/$f (set MNIST_DIR)" >&2; exit 2; }
done
mkdir -p "$OUT"

declare -A RECIPES=(
  [h10-5s]="--hidden 10 --batch-size 32 --epochs 4 --optimizer sgd --lr 0.1 --schedule cosine --local-steps 200"
  [h10-fast]="--partitions 4 --hidden 10 --batch-size 128 --epochs 3 --optimizer adam --lr 0.01 --schedule cosine"
  [h10]="--partitions 4 --hidden 10 --batch-size 100 --epochs 40 --optimizer adam --lr 0.003 --schedule cosine --warmup 3000"
  [h10-local]="--partitions 4 --hidden 10 --batch-size 100 --epochs 60 --optimizer adam --lr 0.003 --schedule cosine --warmup 3000 --local-steps 4"
  [h10-lbfgs]="--partitions 4 --hidden 10 --activation sigmoid --init xavier --optimizer lbfgs --iterations 300 --log-every 50 --eval-every 10"
  [h128]="--partitions 4 --hidden 128 --batch-size 128 --epochs 20 --optimizer adamw --l2 0.05 --lr 0.002 --schedule cosine --warmup 500"
  [h800]="--partitions 4 --hidden 800 --batch-size 256 --epochs 20 --optimizer adamw --lr 0.001 --l2 0.2 --schedule cosine --warmup 200"
  [h800-long]="--partitions 4 --hidden 800 --batch-size 256 --epochs 40 --optimizer adamw --lr 0.001 --l2 0.2 --schedule cosine --warmup 200"
  [h800-dropout]="--hidden 800 --batch-size 128 --epochs 30 --optimizer adamw --lr 0.001 --l2 0.1 --dropout 0.5 --schedule cosine --warmup 500"
)
ORDER=(h10-5s h10-fast h10 h10-local h10-lbfgs h128 h800 h800-long h800-dropout)
[[ $# -gt 0 ]] && ORDER=("$@")

printf '| recipe | command | test accuracy | training wall time | time to 92.7%% |\n| --- | --- | --- | --- | --- |\n'
for name in "${ORDER[@]}"; do
  args="${RECIPES[$name]:?unknown recipe $name}"
  # shellcheck disable=SC2086
  ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --test "$MNIST_DIR/mnist_test.csv.gz" \
    --out "$OUT/$name" --log-every 100000 $args > "$OUT/$name.log" 2>&1 || { echo "| $name | failed: see $OUT/$name.log |"; continue; }
  acc=$(grep -o '"test_accuracy" : [0-9.]*' "$OUT/$name/metrics.json" | awk '{printf "%.2f%%", $3 * 100}')
  secs=$(grep -o '"train_seconds" : [0-9.]*' "$OUT/$name/metrics.json" | awk '{printf "%.1f s", $3}')
  reach=$(awk -F, 'NR > 1 && $8 != "" && $8 >= 0.927 { printf "%.1f s", $9 / 1000; found = 1; exit } END { if (!found) printf "not reached" }' "$OUT/$name/history.csv")
  printf '| %s | `./submit.sh train --master local[2] %s` | %s | %s | %s |\n' "$name" "$args" "$acc" "$secs" "$reach"
done
