#!/usr/bin/env bash
# Compiles the programs in examples/java against the project's jar and runs one (default TrainAndScore):
#   examples/run.sh [ARGS...]                       TrainAndScore [TRAIN.csv [TEST.csv [MODEL_DIR]]]
#   EXAMPLE=TrainAndScore examples/run.sh ...       another class of org.sparkdigits.examples
# With SPARK_HOME set it runs through $SPARK_HOME/bin/spark-submit (give its options in SPARK_SUBMIT_ARGS, e.g.
# "--master yarn"); without it, with plain java on the Spark the Maven build brings, on local[*], as submit.sh does.
# The jar is built first (mvn -DskipTests package) when it is missing or older than the sources. Spark 4.2 line only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
class="org.sparkdigits.examples.${EXAMPLE:-TrainAndScore}"
jar=target/spark-digits.jar
if [[ ! -f "$jar" || ! -f target/classpath.txt || ! -f target/classpath.txt.runtime ]] \
   || [[ -n "$(find src/main src/shim pom.xml -newer "$jar" -print -quit)" ]]; then
  echo "examples/run.sh: building the jar (mvn -B -DskipTests package) ..." >&2
  mvn -q -B -DskipTests package >&2
fi
cp="$(cat target/classpath.txt):$(cat target/classpath.txt.runtime)"
rm -rf target/examples && mkdir -p target/examples
javac -d target/examples -cp "$jar:$cp" $(find examples/java -name '*.java')
if [[ -n "${SPARK_HOME:-}" ]]; then
  (cd target/examples && jar cf ../spark-digits-examples.jar .)
  # shellcheck disable=SC2086
  exec "$SPARK_HOME/bin/spark-submit" --class "$class" --jars "$jar" ${SPARK_SUBMIT_ARGS:-} \
    target/spark-digits-examples.jar "$@"
fi
# Spark's JVM flags for Java 17 (the pom's spark.jvm.flags, as the tests and submit.sh use them); conf/log4j2.properties
# keeps Spark's INFO lines out and our progress lines in
flags="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' pom.xml)"
# shellcheck disable=SC2086
exec java $flags -Xmx4g "-Dlog4j2.configurationFile=file:$root/conf/log4j2.properties" \
  -cp "target/examples:$jar:$cp" "$class" "$@"
