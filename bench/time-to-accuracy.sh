#!/usr/bin/env bash
# Time to accuracy beside PyTorch on the same machine: each recipe trains the same 784-H-10 network with the same
# settings on both sides (batch, epochs, AdamW rate and decay, warm-up then cosine, dropout), tests on the real 10k
# after every epoch, and the table gives the training wall time at the first epoch whose test accuracy reached the
# target. Per target, the best recipe of each side is compared with the best of the other; recipes PyTorch's script
# cannot run (plain SGD, --local-steps) are ours alone and count among ours. Timings only: nothing passes or fails.
#
#   bench/time-to-accuracy.sh            # H=128 to 98.0% and H=800 to 98.4%, every recipe
#   bench/time-to-accuracy.sh 800        # one target's recipes
#
# Ours: the training wall time at that epoch's evaluation (history.csv's elapsed_ms; it includes the evaluations).
# PyTorch (bench/peers/torch_mlp.py, one intra-op thread) prints its accuracy after each epoch and its total
# training time (evaluations included); its epochs cost the same, so its time to an epoch is total x epoch / epochs.
# Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); MNIST_DIR as bench/step-cost.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
TORCH_MLP="${TORCH_MLP:-bench/peers/torch_mlp.py}"
OUT="${OUT:-target/bench/time-to-accuracy}"
for f in "$MNIST_DIR/mnist_train.csv.gz" "$MNIST_DIR/mnist_test.csv.gz" "$TORCH_MLP"; do
  [[ -f "$f" ]] || { echo "bench/time-to-accuracy.sh: missing $f (set MNIST_DIR / TORCH_MLP)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  echo "bench/time-to-accuracy.sh: PyTorch is missing: apt-get install python3-torch libopenblas0-pthread (as root)" >&2; exit 2; }
mkdir -p "$OUT"
mvn -q -DskipTests package >&2

# per hidden size: the target and its recipes, "batch epochs lr decay warmup dropout" each
declare -A TARGET RECIPES
TARGET[128]=0.980
RECIPES[128]="128 20 0.002 0.05 500 0|256 20 0.003 0.05 200 0"
TARGET[800]=0.984
RECIPES[800]="128 30 0.001 0.1 500 0.5|512 15 0.003 0.1 100 0|1024 20 0.004 0.1 50 0.5"

# per hidden size: recipes of ours alone (PyTorch's script trains with AdamW only), full train options each; their
# time to the target is compared with PyTorch's best recipe
declare -A OURS_ONLY
# (local SGD: two tasks of 16 rows a step, 200 steps a job; the recipes of 2026-12-03's exploratory runs)
OURS_ONLY[128]="--batch-size 32 --epochs 6 --optimizer sgd --lr 0.3 --schedule cosine --local-steps 200|--batch-size 32 --epochs 10 --optimizer sgd --lr 0.2 --schedule cosine --local-steps 200"
OURS_ONLY[800]="--batch-size 32 --epochs 15 --optimizer sgd --lr 0.2 --schedule cosine --local-steps 200|--batch-size 32 --epochs 15 --optimizer sgd --lr 0.3 --schedule cosine --local-steps 200 --dropout 0.3"

summarise() { # model dir, PyTorch's json (or -), H, recipe, ours, torch
  python3 - "$1" "$2" "$3" "${TARGET[$3]}" "$4" "$5" "$6" >> "$OUT/results.tsv" <<'PY'
import csv, json, sys
model, torch_file, h, target, recipe, ours_cmd, torch_cmd = sys.argv[1:]
target = float(target)
m = json.load(open(model + "/metrics.json"))
ours = ""
for row in csv.DictReader(open(model + "/history.csv")):
    if row["test_accuracy"] and float(row["test_accuracy"]) >= target - 1e-9:
        ours = f"{float(row['elapsed_ms']) / 1000:.1f}\t{float(row['epoch']):g}"
        break
if torch_file == "-":
    t, accs, first, theirs = None, [], None, "-\t-"
else:
    t = json.load(open(torch_file))
    accs = t["test_acc_per_epoch"]
    first = next((i + 1 for i, a in enumerate(accs) if a >= target - 1e-9), None)
    theirs = "" if first is None else f"{t['train_seconds'] * first / len(accs):.1f}\t{first}"
print("\t".join([h, f"{target:.3f}", recipe, ours or "\t", f"{m['test_accuracy']:.4f}", f"{m['train_seconds']:.1f}",
                 f"{m.get('ms_per_step_steady', m['ms_per_iteration']):.2f}", theirs or "\t",
                 f"{accs[-1]:.4f}" if t else "-", f"{t['train_seconds']:.1f}" if t else "-",
                 f"{t['ms_step_median']}" if t else "-", ours_cmd, torch_cmd]))
PY
}

[[ $# -gt 0 ]] || set -- 128 800
rm -f "$OUT/results.tsv"
for h in "$@"; do
  [[ -n "${RECIPES[$h]:-}" ]] || { echo "bench/time-to-accuracy.sh: no recipes for H=$h (128 or 800)" >&2; exit 2; }
  IFS='|' read -r -a recipes <<< "${RECIPES[$h]}"
  for r in "${recipes[@]}"; do
    read -r b e lr wd w d <<< "$r"
    name="h$h-b$b-e$e-lr$lr-d$d"
    ours="--hidden $h --kernel float --batch-size $b --epochs $e --optimizer adamw --l2 $wd --lr $lr --schedule cosine --warmup $w"
    torch="--hidden $h --batch $b --epochs $e --lr $lr --wd $wd --warmup $w"
    if [[ "$d" != 0 ]]; then ours+=" --dropout $d"; torch+=" --dropout $d"; fi
    echo "== $name ours: train $ours" >&2
    # shellcheck disable=SC2086
    ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --test "$MNIST_DIR/mnist_test.csv.gz" \
        $ours --log-every 100000 --out "$OUT/model-$name" > "$OUT/train-$name.log" 2>&1 || { tail -5 "$OUT/train-$name.log" >&2; exit 1; }
    echo "== $name PyTorch: torch_mlp.py $torch --threads 1" >&2
    # shellcheck disable=SC2086
    /usr/bin/python3 "$TORCH_MLP" --mnist "$MNIST_DIR" $torch --threads 1 | tail -1 > "$OUT/torch-$name.json"
    summarise "$OUT/model-$name" "$OUT/torch-$name.json" "$h" "$r" "$ours" "$torch"
  done
  IFS='|' read -r -a only <<< "${OURS_ONLY[$h]}"
  for k in "${!only[@]}"; do
    ours="--hidden $h --kernel float ${only[$k]}"
    name="h$h-ours-only-$k"
    echo "== $name ours: train $ours" >&2
    # shellcheck disable=SC2086
    ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --test "$MNIST_DIR/mnist_test.csv.gz" \
        $ours --log-every 100000 --out "$OUT/model-$name" > "$OUT/train-$name.log" 2>&1 || { tail -5 "$OUT/train-$name.log" >&2; exit 1; }
    summarise "$OUT/model-$name" - "$h" "ours only" "$ours" -
  done
done
python3 - "$OUT/results.tsv" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print("| H | target | batch, epochs, lr, decay, warm-up, dropout | ours: time (epoch) | ours: final acc, time, ms/step "
      "| PyTorch: time (epoch) | PyTorch: final acc, time, ms/step | ours / PyTorch |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
best = {}
for r in rows:
    h, target, recipe, os_, oe, oacc, otime, ostep, ts, te, tacc, ttime, tstep = r[:13]
    only = ts == "-"
    if only:
        recipe = "ours only: `" + r[13].split(" --kernel float ", 1)[-1] + "`"
    show = lambda s, e: f"{s} s ({e})" if s else "not reached"
    ratio = f"{float(os_) / float(ts):.2f}x" if os_ and ts and not only else "-"
    theirs = "- | -" if only else f"{show(ts, te)} | {float(tacc) * 100:.2f}%, {ttime} s, {tstep} ms"
    print(f"| {h} | {float(target) * 100:.1f}% | {recipe} | {show(os_, oe)} | {float(oacc) * 100:.2f}%, {otime} s, {ostep} ms "
          f"| {theirs} | {ratio} |")
    b = best.setdefault(h, {"ours": None, "torch": None})
    if os_ and (b["ours"] is None or float(os_) < float(b["ours"][0])):
        b["ours"] = (os_, recipe)
    if ts and not only and (b["torch"] is None or float(ts) < float(b["torch"][0])):
        b["torch"] = (ts, recipe)
print()
for h, b in best.items():
    if b["ours"] and b["torch"]:
        print(f"H={h}: best of ours {b['ours'][0]} s ({b['ours'][1]}), best of PyTorch {b['torch'][0]} s ({b['torch'][1]}): "
              f"ours / PyTorch {float(b['ours'][0]) / float(b['torch'][0]):.2f}x")
    else:
        print(f"H={h}: ours {b['ours']}, PyTorch {b['torch']} (a side never reached the target)")
PY
