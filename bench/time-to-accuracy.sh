#!/usr/bin/env bash
# Time to accuracy beside PyTorch on the same machine: each trains the same 784-H-10 network with its recipe, tests on
# the real 10k after every epoch, and the table gives the training wall time at the first epoch whose test accuracy
# reached the target. Timings only: nothing passes or fails.
#
#   bench/time-to-accuracy.sh            # H=128 to 98.0% and H=800 to 98.4%
#   bench/time-to-accuracy.sh 128        # one of them
#
# Ours: the training wall time at that epoch's evaluation (history.csv's elapsed_ms; it includes the evaluations).
# PyTorch (../shared/bench/torch_mlp.py, one intra-op thread) prints its accuracy after each epoch and its total
# training time (evaluations included); its epochs cost the same, so its time to an epoch is total x epoch / epochs.
# Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); MNIST_DIR as bench/step-cost.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MNIST_DIR="${MNIST_DIR:-../shared/mnist}"
TORCH_MLP="${TORCH_MLP:-../shared/bench/torch_mlp.py}"
OUT="${OUT:-target/bench/time-to-accuracy}"
for f in "$MNIST_DIR/mnist_train.csv.gz" "$MNIST_DIR/mnist_test.csv.gz" "$TORCH_MLP"; do
  [[ -f "$f" ]] || { echo "bench/time-to-accuracy.sh: missing $f (set MNIST_DIR / TORCH_MLP)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  echo "bench/time-to-accuracy.sh: PyTorch is missing: apt-get install python3-torch libopenblas0-pthread (as root)" >&2; exit 2; }
mkdir -p "$OUT"
mvn -q -DskipTests package >&2

# hidden target epochs | our options | torch options
declare -A OURS TORCH TARGET
OURS[128]="--hidden 128 --kernel float --batch-size 128 --epochs 20 --optimizer adamw --l2 0.05 --lr 0.002 --schedule cosine --warmup 500"
TORCH[128]="--hidden 128 --batch 128 --epochs 20 --lr 0.002 --wd 0.05 --warmup 500"
TARGET[128]=0.980
OURS[800]="--hidden 800 --kernel float --batch-size 128 --epochs 30 --optimizer adamw --lr 0.001 --l2 0.1 --dropout 0.5 --schedule cosine --warmup 500"
TORCH[800]="--hidden 800 --batch 128 --epochs 30 --lr 0.001 --wd 0.1 --dropout 0.5 --warmup 500"
TARGET[800]=0.984

[[ $# -gt 0 ]] || set -- 128 800
for h in "$@"; do
  [[ -n "${OURS[$h]:-}" ]] || { echo "bench/time-to-accuracy.sh: no recipe for H=$h (128 or 800)" >&2; exit 2; }
  echo "== H=$h ours: train ${OURS[$h]}" >&2
  rm -rf "$OUT/model-h$h"
  # shellcheck disable=SC2086
  ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --test "$MNIST_DIR/mnist_test.csv.gz" \
      ${OURS[$h]} --log-every 100000 --out "$OUT/model-h$h" > "$OUT/train-h$h.log" 2>&1 || { tail -5 "$OUT/train-h$h.log" >&2; exit 1; }
  echo "== H=$h PyTorch: torch_mlp.py ${TORCH[$h]} --threads 1" >&2
  # shellcheck disable=SC2086
  /usr/bin/python3 "$TORCH_MLP" --mnist "$MNIST_DIR" ${TORCH[$h]} --threads 1 | tail -1 > "$OUT/torch-h$h.json"
  python3 - "$OUT/model-h$h" "$OUT/torch-h$h.json" "$h" "${TARGET[$h]}" "${OURS[$h]}" "${TORCH[$h]}" <<'PY'
import csv, json, sys
model, torch_file, h, target = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
m = json.load(open(model + "/metrics.json"))
ours = None
for row in csv.DictReader(open(model + "/history.csv")):
    if row["test_accuracy"] and float(row["test_accuracy"]) >= target - 1e-9:
        ours = (float(row["epoch"]), float(row["elapsed_ms"]) / 1000)
        break
t = json.load(open(torch_file))
accs = t["test_acc_per_epoch"]
first = next((i + 1 for i, a in enumerate(accs) if a >= target - 1e-9), None)
theirs = None if first is None else (first, t["train_seconds"] * first / len(accs))
def show(x):
    return "not reached" if x is None else f"{x[1]:.1f} s (epoch {x[0]:g})"
ratio = f"{ours[1] / theirs[1]:.2f}x" if ours and theirs else "-"
print(f"H={h} to {target * 100:.1f}%: ours {show(ours)}, final {m['test_accuracy'] * 100:.2f}% in {m['train_seconds']:.0f} s "
      f"({m.get('ms_per_step_steady', m['ms_per_iteration']):.1f} ms/step steady); PyTorch {show(theirs)}, final "
      f"{accs[-1] * 100:.2f}% in {t['train_seconds']:.0f} s ({t['ms_step_median']} ms/step); ours / PyTorch {ratio}")
print(f"  ours: ./submit.sh train --master 'local[2]' --data .../mnist_train.csv.gz --test .../mnist_test.csv.gz {sys.argv[5]}")
print(f"  PyTorch: /usr/bin/python3 ../shared/bench/torch_mlp.py {sys.argv[6]} --threads 1")
PY
done
