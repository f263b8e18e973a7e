#!/usr/bin/env bash
# The first load of the 60k CSV in a fresh JVM, as `train` reports it (metrics.json's load_seconds: from the first
# read to the cached, counted blocks), for one jar or several side by side. Timings only: nothing here passes or
# fails. Each repetition runs every jar once, in turn, each in a fresh process (`train --iterations 1 --hidden 10`
# on local[2]); the table gives the median, min and max per jar.
#
#   bench/first-load.sh                          # 7 repetitions of the jar built from this tree
#   bench/first-load.sh OLD.jar NEW.jar          # two jars side by side (one built from another commit, say)
#   REPEAT=11 bench/first-load.sh                # more repetitions (the machine is shared and noisy)
#
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz.
set -euo pipefail
jars=()   # the jars as given, relative to the caller's directory
for j in "$@"; do
  [[ -f "$j" ]] || { echo "bench/first-load.sh: no jar $j" >&2; exit 2; }
  jars+=("$(cd "$(dirname "$j")" && pwd)/$(basename "$j")")
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
REPEAT="${REPEAT:-7}"
OUT="${OUT:-target/bench/first-load}"
[[ -f "$MNIST_DIR/mnist_train.csv.gz" ]] || { echo "bench/first-load.sh: missing $MNIST_DIR/mnist_train.csv.gz (set MNIST_DIR)" >&2; exit 2; }
mkdir -p "$OUT"
if [[ ${#jars[@]} -eq 0 ]]; then
  mvn -q -DskipTests package >&2
  jars=("$PWD/target/spark-digits.jar")
fi
[[ -f target/classpath.txt ]] || mvn -q -DskipTests package >&2   # submit.sh's Spark classpath
results="$OUT/results.tsv"
: > "$results"
for rep in $(seq 1 "$REPEAT"); do
  for i in "${!jars[@]}"; do
    model="$OUT/model-$i"
    rm -rf "$model"
    SPARK_DIGITS_JAR="${jars[$i]}" ./submit.sh train --master 'local[2]' --data "$MNIST_DIR/mnist_train.csv.gz" \
        --hidden 10 --iterations 1 --out "$model" > "$OUT/train-$i.log" 2>&1 || { tail -5 "$OUT/train-$i.log" >&2; exit 1; }
    s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["load_seconds"])' "$model/metrics.json")
    printf '%s\t%s\t%s\n' "$i" "${jars[$i]}" "$s" >> "$results"
    echo "repetition $rep: ${jars[$i]}: load $s s" >&2
  done
done
python3 - "$results" <<'PY'
import collections, statistics as st, sys
by = collections.OrderedDict()
for line in open(sys.argv[1]):
    i, jar, s = line.rstrip("\n").split("\t")
    by.setdefault((int(i), jar), []).append(float(s))
print("| jar | runs | median load (s) | min | max |")
print("| --- | --- | --- | --- | --- |")
for (i, jar), v in by.items():
    print(f"| {jar} | {len(v)} | {st.median(v):.2f} | {min(v):.2f} | {max(v):.2f} |")
PY
