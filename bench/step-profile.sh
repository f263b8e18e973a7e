#!/usr/bin/env bash
# Where a mini-batch step's time goes, on the real `train` loop: one run per shape with Spark's event log on, then a
# table of medians over the second epoch's steps. The driver's side comes from metrics.json's step_phases_ms
# (StepTimer: laying out the weights, creating the broadcast, the gradient job, the update, destroying the broadcast);
# inside the job, from the event log's task metrics: the delay from the job's submission to its tasks' launch
# (DAG scheduler, task binary, task serialization), the tasks' deserialization (of the task and of the broadcast
# weights), their run (kernel setup and arithmetic), the result bytes, and the time from the tasks' end to the
# job's end (result serialization, transfer, deserialization). Timings only. A JFR profile of the same runs:
# add JFR=1 (one .jfr per shape in the output directory, `jfr print --events jdk.ExecutionSample` reads it).
#
#   bench/step-profile.sh                          # H=10, 128 and 800 at B=128
#   bench/step-profile.sh "800 1024 float" ...     # the shapes given, "H B KERNEL" each (EXTRA: more train options)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
OUT="${OUT:-target/bench/step-profile}"
[[ -f "$MNIST_DIR/mnist_train.csv.gz" ]] || { echo "bench/step-profile.sh: missing $MNIST_DIR/mnist_train.csv.gz (set MNIST_DIR)" >&2; exit 2; }
mkdir -p "$OUT"
mvn -q -DskipTests package >&2
OUT_ABS="$(cd "$OUT" && pwd)"
echo "| H | B | kernel | step (driver) | weights | broadcast | job | update | destroy | job as Spark times it | submission to task launch | task deserialization | task run | result bytes per task | task end to job end | result sum on the driver |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
[[ $# -gt 0 ]] || set -- "10 128 simd" "128 128 float" "800 128 float"
for shape in "$@"; do
  read -r h b k <<< "$shape"
  name="h$h-b$b-$k"
  rm -rf "$OUT/model-$name" "$OUT/events-$name"
  mkdir -p "$OUT/events-$name"
  jfr=()
  [[ -n "${JFR:-}" ]] && jfr=(--driver-java-options "-XX:StartFlightRecording=filename=$OUT_ABS/$name.jfr,settings=profile")
  ./submit.sh train "${jfr[@]}" --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" --hidden "$h" --batch-size "$b" \
      --kernel "$k" --optimizer adamw --lr 0.001 --epochs 2 ${EXTRA:-} --log-every 100000 --out "$OUT/model-$name" \
      --conf spark.eventLog.enabled=true --conf "spark.eventLog.dir=file://$OUT_ABS/events-$name" \
      --conf spark.eventLog.compress=false > "$OUT/train-$name.log" 2>&1 || { tail -5 "$OUT/train-$name.log" >&2; exit 1; }
  python3 - "$OUT/model-$name/metrics.json" "$OUT/events-$name" "$h" "$b" "$k" <<'PY'
import glob, json, statistics as st, sys
m = json.load(open(sys.argv[1])); ph = m["step_phases_ms"]
events = [f for f in glob.glob(sys.argv[2] + "/**/events*", recursive=True)] + glob.glob(sys.argv[2] + "/*local*")
jobs, tasks = {}, {}
for f in events:
    try:
        lines = open(f)
        for line in lines:
            e = json.loads(line); ev = e["Event"]
            if ev == "SparkListenerJobStart":
                jobs[e["Job ID"]] = dict(start=e["Submission Time"], stages=e["Stage IDs"],
                                         desc=(e.get("Properties") or {}).get("spark.job.description", ""))
            elif ev == "SparkListenerJobEnd" and e["Job ID"] in jobs:
                jobs[e["Job ID"]]["end"] = e["Completion Time"]
            elif ev == "SparkListenerTaskEnd":
                ti, tm = e["Task Info"], e.get("Task Metrics") or {}
                tasks.setdefault(e["Stage ID"], []).append(dict(launch=ti["Launch Time"], finish=ti["Finish Time"],
                    deser=tm.get("Executor Deserialize Time", 0), run=tm.get("Executor Run Time", 0),
                    size=tm.get("Result Size", 0)))
    except (IsADirectoryError, UnicodeDecodeError):
        pass
rows = []
for j in jobs.values():
    if not j["desc"].startswith("epoch 2/") or "end" not in j:
        continue
    ts = [t for s in j["stages"] for t in tasks.get(s, [])]
    if not ts:
        continue
    done = max(t["launch"] + t["deser"] + t["run"] for t in ts)
    rows.append(dict(job=j["end"] - j["start"], launch=min(t["launch"] for t in ts) - j["start"],
                     deser=max(t["deser"] for t in ts), run=max(t["run"] for t in ts),
                     size=max(t["size"] for t in ts), tail=j["end"] - done))
med = {k: st.median(r[k] for r in rows) for k in rows[0]} if rows else {}
h, b, k = sys.argv[3:6]
print(f"| {h} | {b} | {k} | {ph['total']:.1f} | {ph['weights']:.2f} | {ph['broadcast']:.2f} | {ph['job']:.2f} | "
      f"{ph['update']:.2f} | {ph['destroy']:.2f} | {med.get('job', float('nan')):.0f} | {med.get('launch', float('nan')):.0f} | "
      f"{med.get('deser', float('nan')):.0f} | {med.get('run', float('nan')):.0f} | {med.get('size', 0) / 1000:.0f} KB | "
      f"{med.get('tail', float('nan')):.0f} | {ph['job'] - med.get('job', float('nan')):.1f} |")
PY
done
echo
echo "ms, medians over the second epoch's steps (the event log's task figures are whole milliseconds); 'job' is the driver's wall time"
echo "for the whole gradient job, of which Spark's own job; the rest of it is the driver collecting and adding the partial sums"
echo "in partition order. A compact result's replay (DeltaRows) runs in 'update', with the optimiser."
