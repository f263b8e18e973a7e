#!/usr/bin/env bash
# What a mini-batch step of the real `train` loop costs, beside PyTorch on the same cores: a single process
# (bench/peers/torch_mlp.py: the same 784-H-10 network, mini-batch AdamW, one intra-op thread, its fastest setting
# here) and DistributedDataParallel with two processes, gloo on loopback (bench/peers/torch_ddp.py: what
# TorchDistributor runs on a Spark cluster). Timings only: nothing here passes or fails. Each repetition runs every
# shape once, ours on each engine and both PyTorch peers back to back, each in a fresh process; the table gives the
# medians over the repetitions and the ratios ours / PyTorch and ours / DDP per engine.
#
#   bench/step-cost.sh                 # 3 repetitions of the six shapes below, both engines
#   REPEAT=5 bench/step-cost.sh        # more repetitions (the machine is shared and noisy)
#   ENGINES=collective bench/step-cost.sh
#                                      # --engine values to run ours with (default "jobs collective")
#   SKIP_TORCH=1 bench/step-cost.sh    # ours only (SKIP_DDP=1: no DDP peer)
#   SHAPES="10 128 simd 8 2.0;10 128 simd 32 2.0" bench/step-cost.sh
#                                      # other shapes: "H B kernel local-steps goal [DDP goal]" separated by ';'
#                                      # (goal: ours / PyTorch, or "4ms"; DDP goal: ours / DDP, optional)
#
# Ours: ./submit.sh train --master local[2] --epochs 2 --engine E on the 60k. With --engine jobs the step time is
# metrics.json's ms_per_step_steady (the median over the second epoch's steps: the first epoch warms the JIT) and with
# --local-steps K a round's time / K (per effective step); step_phases_ms says where the driver's time went. The
# collective engine runs a segment of steps (here an epoch) as one barrier stage, so it has no per-step phases: its
# step time is the second epoch's wall time / its steps (history.csv's elapsed_ms at the two epochs' ends; the stage's
# launch and the driver's bookkeeping included). That mean is printed for both engines ("epoch-2 mean"). The collective
# engine runs --local-steps 1 only: other shapes run the jobs engine alone. A run whose metrics.json `engine` is not
# the one asked for is flagged in the table. PyTorch: --steps 400 (its own median leaves out the first 10% of steps);
# DDP: --world 2 --steps 400, OPENBLAS_NUM_THREADS=1, its median ms per synchronous step (all-reduce measured apart).
# Also printed: the first load of the 60k CSV in a fresh JVM (metrics.json's load_seconds).
#
# Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread; it runs under /usr/bin/python3).
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz; TORCH_MLP points at torch_mlp.py, TORCH_DDP at
# torch_ddp.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
TORCH_MLP="${TORCH_MLP:-bench/peers/torch_mlp.py}"
TORCH_DDP="${TORCH_DDP:-bench/peers/torch_ddp.py}"
ENGINES="${ENGINES:-jobs collective}"
REPEAT="${REPEAT:-3}"
OUT="${OUT:-target/bench/step-cost}"
[[ -f "$MNIST_DIR/mnist_train.csv.gz" ]] || { echo "bench/step-cost.sh: missing $MNIST_DIR/mnist_train.csv.gz (set MNIST_DIR)" >&2; exit 2; }
if [[ -z "${SKIP_TORCH:-}" ]]; then
  [[ -f "$TORCH_MLP" ]] || { echo "bench/step-cost.sh: missing $TORCH_MLP (set TORCH_MLP, or SKIP_TORCH=1)" >&2; exit 2; }
  [[ -n "${SKIP_DDP:-}" || -f "$TORCH_DDP" ]] || {
    echo "bench/step-cost.sh: missing $TORCH_DDP (set TORCH_DDP, or SKIP_DDP=1)" >&2; exit 2; }
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
for e in $ENGINES; do
  [[ "$e" == jobs || "$e" == collective || "$e" == auto ]] || { echo "bench/step-cost.sh: ENGINES: $e is not jobs, collective or auto" >&2; exit 2; }
done
results="$OUT/results.jsonl"
: > "$results"
for rep in $(seq 1 "$REPEAT"); do
  for shape in "${SHAPES[@]}"; do
    read -r h b k l goal ddpgoal <<< "$shape"
    for e in $ENGINES; do
      name="h$h-b$b-$k-l$l-$e"
      if [[ "$e" == collective && "$l" != 1 ]]; then
        echo "== repetition $rep: H=$h B=$b --local-steps $l: skipped on --engine collective (it runs --local-steps 1 only)" >&2
        continue
      fi
      echo "== repetition $rep: H=$h B=$b --kernel $k --local-steps $l --engine $e" >&2
      rm -rf "$OUT/model-$name"
      ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --hidden "$h" --batch-size "$b" \
          --kernel "$k" --local-steps "$l" --optimizer adamw --lr 0.001 --epochs 2 --log-every 100000 --engine "$e" \
          --out "$OUT/model-$name" > "$OUT/train-$name.log" 2>&1 || { tail -5 "$OUT/train-$name.log" >&2; exit 1; }
      cp "$OUT/train-$name.log" "$OUT/train-$name-rep$rep.log"
      python3 - "$OUT/model-$name" "$h" "$b" "$k" "$l" "$goal" "$e" "$rep" "${ddpgoal:--}" >> "$results" <<'PY'
import csv, json, sys
d, h, b, k, l, goal, e, rep, ddpgoal = sys.argv[1:]
l = int(l)
m = json.load(open(d + "/metrics.json"))
rows = [r for r in csv.DictReader(open(d + "/history.csv")) if r["elapsed_ms"]]
ends = {}
for r in rows:   # the last row at each epoch's end
    if abs(float(r["epoch"]) - round(float(r["epoch"]))) < 1e-9:
        ends[round(float(r["epoch"]))] = r
e2 = None
if 1 in ends and 2 in ends:
    e2 = (float(ends[2]["elapsed_ms"]) - float(ends[1]["elapsed_ms"])) / (int(ends[2]["iteration"]) - int(ends[1]["iteration"])) / l
steady = m.get("ms_per_step_steady")
ours = steady / l if steady is not None else e2
print(json.dumps(dict(kind="ours", rep=int(rep), hidden=int(h), batch=int(b), kernel=k, local_steps=l, goal=goal, ddp_goal=ddpgoal,
                      engine_asked=e, engine=m.get("engine"), engine_reason=m.get("engine_reason"),
                      ours_ms=ours, epoch2_mean_ms=e2, phases=m.get("step_phases_ms") or {}, load_s=m["load_seconds"])))
PY
    done
    if [[ -z "${SKIP_TORCH:-}" ]]; then
      echo "== repetition $rep: H=$h B=$b PyTorch single process" >&2
      torch=$(/usr/bin/python3 "$TORCH_MLP" --mnist "$MNIST_DIR" --hidden "$h" --batch "$b" --epochs 1 --steps 400 --threads 1 | tail -1)
      ddp="{}"
      if [[ -z "${SKIP_DDP:-}" ]]; then
        echo "== repetition $rep: H=$h B=$b PyTorch DDP, 2 processes" >&2
        ddp=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$TORCH_DDP" --mnist "$MNIST_DIR" --hidden "$h" --batch "$b" --world 2 \
              --steps 400 --optimizer adamw | tail -1)
      fi
      python3 - "$torch" "$ddp" "$h" "$b" "$rep" >> "$results" <<'PY'
import json, sys
t, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps(dict(kind="torch", rep=int(sys.argv[5]), hidden=int(sys.argv[3]), batch=int(sys.argv[4]),
                      torch_ms=t.get("ms_step_median"), ddp_ms=d.get("ms_step_median"),
                      ddp_allreduce_ms=d.get("ms_allreduce_median"))))
PY
    fi
  done
done

python3 - "$results" "$ENGINES" <<'PY'
import json, statistics as st, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
engines = sys.argv[2].split()
ours = [r for r in rows if r["kind"] == "ours"]
peers = [r for r in rows if r["kind"] == "torch"]
med = lambda xs: st.median(xs) if xs else None
fmt = lambda v: "-" if v is None else f"{v:.2f}"
ratio = lambda a, b: "-" if a is None or not b else f"{a / b:.2f}x"
keys = []
for r in ours:
    k = (r["hidden"], r["batch"], r["kernel"], r["local_steps"])
    if k not in keys:
        keys.append(k)
print("| H | B | kernel | local steps | engine | ours ms/step | epoch-2 mean ms/step | PyTorch ms/step | DDP (2 proc) ms/step "
      "| ours / PyTorch | ours / DDP | goal (ours / PyTorch) | goal (ours / DDP) | driver phases (jobs engine, ms, median) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
warnings = []
for k in keys:
    ps = [r for r in peers if (r["hidden"], r["batch"]) == k[:2]]
    torch = med([r["torch_ms"] for r in ps if r["torch_ms"] is not None])
    ddp = med([r["ddp_ms"] for r in ps if r["ddp_ms"] is not None])
    goal = next(r["goal"] for r in ours if (r["hidden"], r["batch"], r["kernel"], r["local_steps"]) == k)
    goal = ("<= " + goal.replace("ms", " ms")) if goal.endswith("ms") else "<= " + goal + "x"
    dg = next(r.get("ddp_goal", "-") for r in ours if (r["hidden"], r["batch"], r["kernel"], r["local_steps"]) == k)
    dg = "-" if dg == "-" else "<= " + dg + "x"
    for e in engines:
        rs = [r for r in ours if (r["hidden"], r["batch"], r["kernel"], r["local_steps"]) == k and r["engine_asked"] == e]
        if not rs:
            continue
        o = med([r["ours_ms"] for r in rs])
        e2 = med([r["epoch2_mean_ms"] for r in rs if r["epoch2_mean_ms"] is not None])
        used = sorted({str(r["engine"]) for r in rs})
        flag = ""
        if e != "auto" and used != [e]:
            flag = f" (WARNING: ran on {'/'.join(used)})"
            warnings.append(f"H={k[0]} B={k[1]} --engine {e}: metrics.json engine {used}: "
                            + "; ".join(sorted({str(r['engine_reason']) for r in rs})))
        phases = {}
        if all(r["phases"] for r in rs):
            phases = {p: st.median(r["phases"][p] for r in rs) for p in rs[0]["phases"] if p != "total"}
        print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3]} | {e}{flag} | {fmt(o)} | {fmt(e2)} | {fmt(torch)} | {fmt(ddp)} "
              f"| {ratio(o, torch)} | {ratio(o, ddp)} | {goal} | {dg} | "
              + (", ".join(f"{p} {v:.2f}" for p, v in phases.items()) or "-") + " |")
for w in warnings:
    print("\nWARNING: " + w)
ar = {}
for r in peers:
    if r.get("ddp_allreduce_ms") is not None:
        ar.setdefault(r["hidden"], []).append(r["ddp_allreduce_ms"])
if ar:
    print("\nDDP all-reduce alone (median ms): " + ", ".join(f"H={h} {st.median(v):.2f}" for h, v in sorted(ar.items())))
loads = [r["load_s"] for r in ours]
reps = len({r["rep"] for r in ours})
print(f"\nfirst load of the 60k CSV in a fresh JVM: median {st.median(loads):.1f} s (min {min(loads):.1f}, max {max(loads):.1f}, "
      f"{len(loads)} runs); {reps} repetitions")
PY
