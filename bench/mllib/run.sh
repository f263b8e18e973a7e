#!/usr/bin/env bash
# MLlib's MultilayerPerceptronClassifier beside spark-digits, same cached rows, Spark 4.2.0 (see pom.xml).
#   bench/mllib/run.sh [DATA] [HIDDEN=10] [ITERATIONS=40] [PARTITIONS=4]     (MASTER=local[2] by default)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${1:-$here/../../../shared/mnist/mnist_train.csv.gz}"
shift || true
mvn -q -B -f "$here/pom.xml" -DskipTests compile
# Spark's JVM flags for Java 17 (the same list as the product's pom.xml and submit.sh)
flags=$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$here/../../pom.xml")
# shellcheck disable=SC2086
exec java $flags -Xmx6g -Dspark.master="${MASTER:-local[2]}" \
  -Dlog4j2.configurationFile="$here/../../conf/log4j2.properties" \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" org.sparkdigits.bench.MllibComparison "$data" "$@"
