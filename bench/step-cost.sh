#!/usr/bin/env bash
# What a mini-batch step of the real `train` loop costs, beside PyTorch on the same cores (../shared/bench/torch_mlp.py:
# the same 784-H-10 network, mini-batch AdamW, one intra-op thread, its fastest setting here). Timings only: nothing
# here passes or fails. Each repetition runs every shape once, ours and PyTorch's back to back, each in a fresh
# process; the table gives the medians over the repetitions and their ratio.
#
#   bench/step-cost.sh                 # 3 repetitions of the six shapes below
#   REPEAT=5 bench/step-cost.sh        # more repetitions (the machine is shared and noisy)
#   SKIP_TORCH=1 bench/step-cost.sh    # ours only
#   SHAPES="10 128 simd 8 2.0;10 128 simd 32 2.0" bench/step-cost.sh
#                                      # other shapes: "H B kernel local-steps goal" separated by ';'
#
# Ours: ./submit.sh train --master local[2] --epochs 2 on the 60k; the step time is metrics.json's
# ms_per_step_steady (the median over the second epoch's steps: the first epoch warms the JIT) and with --local-steps K
# a round's time / K (per effective step); step_phases_ms says where the driver's time went. PyTorch: --steps 400
# (its own median leaves out the first 10% of steps). Also printed: the first load of the 60k CSV in a fresh JVM
# (metrics.json's load_seconds).
#
# Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread; it runs under /usr/bin/python3).
# MNIST_DIR (default ../shared/mnist) holds mnist_train.csv.gz; TORCH_MLP points at torch_mlp.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MNIST_DIR="${MNIST_DIR:-../shared/mnist}"
TORCH_MLP="${TORCH_MLP:-../shared/bench/torch_mlp.py}"
REPEAT="${REPEAT:-3}"
OUT="${OUT:-target/bench/step-cost}"
[[ -f "$MNIST_DIR/mnist_train.csv.gz" ]] || { echo "bench/step-cost.sh: missing $MNIST_DIR/mnist_train.csv.gz (set MNIST_DIR)" >&2; exit 2; }
if [[ -z "${SKIP_TORCH:-}" ]]; then
  [[ -f "$TORCH_MLP" ]] || { echo "bench/step-cost.sh: missing $TORCH_MLP (set TORCH_MLP, or SKIP_TORCH=1)" >&2; exit 2; }
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "bench/step-cost.sh: PyTorch is missing: apt-get install python3-torch libopenblas0-pthread (as root), or SKIP_TORCH=1" >&2
    exit 2
  fi
fi
mkdir -p "$OUT"
mvn -q -DskipTests package >&2

# hidden batch kernel local-steps goal(ours/torch, or ms for the job floor)
if [[ -n "${SHAPES:-}" ]]; then
  IFS=';' read -r -a SHAPES <<< "$SHAPES"
else
  SHAPES=("10 128 simd 1 4ms" "10 128 simd 8 2.0" "10 128 simd 32 2.0" "128 128 float 1 1.5" "800 128 float 1 0.75"
          "800 512 float 1 0.5")
fi
results="$OUT/results.jsonl"
: > "$results"
for rep in $(seq 1 "$REPEAT"); do
  for shape in "${SHAPES[@]}"; do
    read -r h b k l goal <<< "$shape"
    name="h$h-b$b-$k-l$l"
    echo "== repetition $rep: H=$h B=$b --kernel $k --local-steps $l" >&2
    rm -rf "$OUT/model-$name"
    ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --hidden "$h" --batch-size "$b" \
        --kernel "$k" --local-steps "$l" --optimizer adamw --lr 0.001 --epochs 2 --log-every 100000 \
        --out "$OUT/model-$name" > "$OUT/train-$name.log" 2>&1 || { tail -5 "$OUT/train-$name.log" >&2; exit 1; }
    torch="{}"
    if [[ -z "${SKIP_TORCH:-}" ]]; then
      torch=$(/usr/bin/python3 "$TORCH_MLP" --mnist "$MNIST_DIR" --hidden "$h" --batch "$b" --epochs 1 --steps 400 --threads 1 | tail -1)
    fi
    python3 - "$OUT/model-$name/metrics.json" "$torch" "$h" "$b" "$k" "$l" "$goal" >> "$results" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); t = json.loads(sys.argv[2])
h, b, k, l, goal = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), sys.argv[7]
print(json.dumps(dict(hidden=int(h), batch=int(b), kernel=k, local_steps=l, goal=goal,
                      ours_ms=m["ms_per_step_steady"] / l, phases=m["step_phases_ms"], load_s=m["load_seconds"],
                      torch_ms=t.get("ms_step_median"))))
PY
  done
done

python3 - "$results" <<'PY'
import json, statistics as st, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = []
for r in rows:
    k = (r["hidden"], r["batch"], r["kernel"], r["local_steps"])
    if k not in keys:
        keys.append(k)
print("| H | B | kernel | local steps | ours ms/step | PyTorch ms/step | ours / PyTorch | goal | driver phases (ms, median) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for k in keys:
    rs = [r for r in rows if (r["hidden"], r["batch"], r["kernel"], r["local_steps"]) == k]
    ours = st.median(r["ours_ms"] for r in rs)
    ts = [r["torch_ms"] for r in rs if r["torch_ms"] is not None]
    torch = st.median(ts) if ts else None
    phases = {p: st.median(r["phases"][p] for r in rs) for p in rs[0]["phases"] if p != "total"}
    goal = rs[0]["goal"]
    goal = ("<= " + goal.replace("ms", " ms")) if goal.endswith("ms") else "<= " + goal + "x"
    ratio = f"{ours / torch:.2f}x" if torch else "-"
    print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {ours:.2f} | {torch if torch is not None else '-'} | {ratio} | {goal} | "
          + ", ".join(f"{p} {v:.2f}" for p, v in phases.items()) + " |")
loads = [r["load_s"] for r in rows]
print(f"\nfirst load of the 60k CSV in a fresh JVM: median {st.median(loads):.1f} s (min {min(loads):.1f}, max {max(loads):.1f}, "
      f"{len(loads)} runs); {len(rows) // len(keys)} repetitions")
PY
