#!/usr/bin/env bash
# Scale benchmark (local[2]): for each size, `augment` grows the real MNIST training set to that many rows (as
# Parquet: the originals and K distorted copies of each), then `train` runs full-batch iterations over it (one
# iteration = one pass over every row = one epoch) at H=128 on the float kernel. Prints a table: generation
# throughput, load time, epoch time (median of the iterations) and its ratio to the row ratio against the first
# size (1.00 = exactly linear), where the cached blocks ended up (memory / disk) and the JVM's heap.
#
#   bench/scale.sh                 60k, 600k, 2M rows (about 8 minutes on 2 cores)
#   SIZES="134" bench/scale.sh     8.1M rows (copies per image: 135 x 60k = 8.1M; ~25 min, ~30 GB of disk) with the
#                                  default --storage-level MEMORY_AND_DISK: most of it spills to disk in a 4 GB JVM
#   STORAGE=DISK_ONLY SIZES="9 32 134" bench/scale.sh    the same with every block on disk
#
# MNIST_DIR (default ../shared/mnist, else ~/.cache/spark-digits/mnist) holds mnist_train.csv.gz; OUT (default /tmp/spark-digits-scale) receives the
# generated sets (deleted after each size unless KEEP=1) and the models. DRIVER_MEMORY (default 4g: submit.sh's
# default) is the heap of the local-mode JVM, which is driver and executor at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# (../shared/mnist when it is there, else the folder `mvn test` fills: the same layout)
MNIST_DIR="${MNIST_DIR:-$([[ -d ../shared/mnist ]] && echo ../shared/mnist || echo "$HOME/.cache/spark-digits/mnist")}"
OUT="${OUT:-/tmp/spark-digits-scale}"
SIZES="${SIZES:-0 9 32}"
ITERATIONS="${ITERATIONS:-20}"
DRIVER_MEMORY="${DRIVER_MEMORY:-4g}"
STORAGE="${STORAGE:-MEMORY_AND_DISK}"
[[ -f "$MNIST_DIR/mnist_train.csv.gz" ]] || { echo "missing $MNIST_DIR/mnist_train.csv.gz (set MNIST_DIR)" >&2; exit 2; }
rm -rf "$OUT"; mkdir -p "$OUT"
echo "# $(date -u +%FT%TZ), $(nproc) cores, local[2], driver memory $DRIVER_MEMORY, H=128 float kernel, $ITERATIONS full-batch iterations, $STORAGE" >&2

printf '| rows | augment | images/s | load | epoch (median) | time ratio / row ratio | storage level | cached in memory | on disk | heap peak / max |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
base_rows=""; base_ms=""
for copies in $SIZES; do
  data="$OUT/data-$copies"
  start=$(date +%s.%N)
  ./submit.sh augment --master 'local[2]' --driver-memory "$DRIVER_MEMORY" --data "$MNIST_DIR/mnist_train.csv.gz" \
      --copies "$copies" --out "$data" > "$OUT/augment-$copies.log" 2>&1 \
    || { cat "$OUT/augment-$copies.log" >&2; exit 1; }
  gen=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)")
  rate=$(grep -o '[0-9]* images/s' "$OUT/augment-$copies.log" | head -1)
  ./submit.sh train --master 'local[2]' --driver-memory "$DRIVER_MEMORY" --data "$data" --hidden 128 --kernel float \
      --iterations "$ITERATIONS" --storage-level "$STORAGE" --log-every 1 --out "$OUT/model-$copies" > "$OUT/train-$copies.log" 2>&1 \
    || { cat "$OUT/train-$copies.log" >&2; exit 1; }
  read -r rows ms load mem disk peak max level < <(python3 - "$OUT/model-$copies" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + "/metrics.json"))
t = json.load(open(sys.argv[1] + "/model.json"))["training"]
print(m["train_rows"], m["ms_per_iteration"], m["load_seconds"], m["cache_memory_mb"], m["cache_disk_mb"],
      m["heap_peak_mb"], m["heap_max_mb"], t["storage-level"])
PY
)
  if [[ -z "$base_rows" ]]; then base_rows=$rows; base_ms=$ms; fi
  python3 - "$rows" "$gen" "$rate" "$load" "$ms" "$base_rows" "$base_ms" "$mem" "$disk" "$peak" "$max" "$level" <<'PY'
import sys
rows, gen, rate, load, ms, brows, bms, mem, disk, peak, mx, level = sys.argv[1:]
ratio = (float(ms) / float(bms)) / (int(rows) / int(brows))
print(f"| {int(rows):,} | {gen} s | {rate.split()[0] if rate else '-'} | {float(load):.1f} s | {float(ms) / 1000:.3f} s | "
      f"{ratio:.2f} | {level} | {float(mem):.0f} MB | {float(disk):.0f} MB | {float(peak):.0f} / {float(mx):.0f} MB |")
PY
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$data"
done
