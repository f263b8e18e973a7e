#!/usr/bin/env bash
# spark-digits launcher.
#   ./submit.sh                      usage: every command and option with its default
#   ./submit.sh COMMAND [spark-submit options] [options]
# spark-submit options (--master, --conf, --driver-memory, ...) pass through; --master defaults to local[*].
# With SPARK_HOME set, $SPARK_HOME/bin/spark-submit runs the job; without it, the Spark that the Maven
# build brings does (local mode needs no Spark installation). The project is built first when the jar
# is missing or older than the sources. In --deploy-mode cluster it waits for the application and prints its id,
# its final status and where the output went. The Spark line (3.5, 4.0, 4.1, 4.2) is the installed Spark's with
# SPARK_HOME set, else --spark-line LINE or SPARK_DIGITS_SPARK_LINE, else 4.2; each line has its own jar.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The Spark line (3.5 with Scala 2.12; 4.0, 4.1, 4.2 with Scala 2.13), one jar each: with SPARK_HOME set, the line
# of the Spark installed there (its RELEASE file or jars/spark-core_*.jar); without it, --spark-line LINE or
# SPARK_DIGITS_SPARK_LINE, else 4.2.
LINES="3.5 4.0 4.1 4.2"
line="${SPARK_DIGITS_SPARK_LINE:-}"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --spark-line) [[ $# -ge 2 ]] || { echo "error: --spark-line needs a value (one of: $LINES)" >&2; exit 2; }
                  line="$2"; shift 2 ;;
    --spark-line=*) line="${1#--spark-line=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
if [[ -n "${SPARK_HOME:-}" ]]; then
  found=""; scala=""
  if [[ -f "$SPARK_HOME/RELEASE" ]]; then
    found="$(sed -n 's/^Spark \([0-9][0-9.]*\).*/\1/p' "$SPARK_HOME/RELEASE" | head -1)"
  fi
  core=""
  if [[ -d "$SPARK_HOME/jars" ]]; then
    core="$(find "$SPARK_HOME/jars" -maxdepth 1 -name 'spark-core_*.jar' | sort | head -1)"
  fi
  if [[ -n "$core" ]]; then
    core="$(basename "$core" .jar)"            # spark-core_2.12-3.5.6
    scala="${core#spark-core_}"; scala="${scala%%-*}"
    [[ -n "$found" ]] || found="${core#spark-core_*-}"
  fi
  if [[ -n "$found" ]]; then
    home_line="$(echo "$found" | cut -d. -f1,2)"
    want_scala=2.13; [[ "$home_line" == 3.5 ]] && want_scala=2.12
    if [[ " $LINES " != *" $home_line "* || ( -n "$scala" && "$scala" != "$want_scala" ) ]]; then
      echo "submit.sh: Spark $found${scala:+ (Scala $scala)} in $SPARK_HOME is not supported: supported are 3.5 (Scala" \
        "2.12), 4.0, 4.1 and 4.2 (Scala 2.13)" >&2
      exit 2
    fi
    if [[ -n "$line" && "$line" != "$home_line" ]]; then
      echo "submit.sh: --spark-line $line does not match the Spark $found in $SPARK_HOME" >&2
      exit 2
    fi
    line="$home_line"
  fi
fi
line="${line:-4.2}"
if [[ " $LINES " != *" $line "* ]]; then
  echo "submit.sh: Spark line '$line' is not supported: supported are 3.5, 4.0, 4.1 and 4.2" >&2
  exit 2
fi
if [[ "$line" == 4.2 ]]; then
  LINE_JAR="$HERE/target/spark-digits.jar"; CP_FILE="$HERE/target/classpath.txt"; PROFILE=()
else
  suffix=2.13; [[ "$line" == 3.5 ]] && suffix=2.12
  LINE_JAR="$HERE/target/spark-digits-spark${line}_$suffix.jar"; CP_FILE="$HERE/target/classpath-spark$line.txt"
  PROFILE=("-Pspark-$line")
fi
# SPARK_DIGITS_JAR and SPARK_DIGITS_CLASSPATH run a jar and a Spark built elsewhere instead (the YARN test does).
JAR="${SPARK_DIGITS_JAR:-$LINE_JAR}"
MAIN=org.sparkdigits.cli.Main
CONF="${SPARK_DIGITS_CONF:-$HERE/conf}"

# Spark 4.2's JVM flags for Java 17 (org.apache.spark.launcher.JavaModuleOptions); the first must come first.
JVM_FLAGS=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED)

build_if_needed() {
  [[ -n "${SPARK_DIGITS_JAR:-}" ]] && return
  if [[ ! -f "$JAR" || ! -f "$CP_FILE" || ! -f "$CP_FILE.runtime" ]] \
     || [[ -n "$(find "$HERE/src/main" "$HERE/src/shim" "$HERE/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
    echo "submit.sh: building spark-digits for Spark $line (mvn -B ${PROFILE[*]+"${PROFILE[*]} "}-DskipTests package) ..." >&2
    local log
    log="$(mktemp)"
    if ! (cd "$HERE" && mvn -B -Dstyle.color=never ${PROFILE[@]+"${PROFILE[@]}"} -DskipTests package > "$log" 2>&1); then
      tail -40 "$log" >&2
      echo "submit.sh: the build failed (full log: $log)" >&2
      exit 1
    fi
    rm -f "$log"
  fi
}

build_if_needed
# The Spark of the build (when SPARK_HOME is unset), and the Hadoop client configuration as spark-submit finds it.
spark_classpath() {
  # the build's compile + provided scopes (Spark) and its runtime scope (what Spark loads only at run time), each jar once
  local cp="${SPARK_DIGITS_CLASSPATH:-$(tr ':' '\n' < "$CP_FILE" | cat - <(tr ':' '\n' < "$CP_FILE.runtime") \
    | awk 'NF && !seen[$0]++' | paste -sd:)}"
  [[ -n "${YARN_CONF_DIR:-}" ]] && cp="$YARN_CONF_DIR:$cp"
  [[ -n "${HADOOP_CONF_DIR:-}" ]] && cp="$HADOOP_CONF_DIR:$cp"
  echo "$cp"
}
LOG4J="-Dlog4j2.configurationFile=file:$CONF/log4j2.properties"

# The command line alone, checked in a short-lived JVM that loads no Spark class (Main --check-only): the usage, a
# command's --help, --version and option errors answer in well under a second, not after Spark's start. A command line
# it takes (exit 0) runs on as it would without the check; 2 is a usage error it printed; 3 means it answered.
run_check() {
  local cp code
  if [[ -n "${SPARK_HOME:-}" && -z "${SPARK_DIGITS_CLASSPATH:-}" && -d "$SPARK_HOME/jars" ]]; then cp="$SPARK_HOME/jars/*"
  else cp="$(spark_classpath)"; fi
  set +e
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$LOG4J" -cp "$JAR:$cp" "$MAIN" --check-only "$@"
  code=$?
  set -e
  case $code in
    2) exit 2 ;;
    3) exit 0 ;;
  esac
}

if [[ $# -eq 0 || "$1" == "help" || "$1" == "-h" || "$1" == "--help" ]]; then
  run_check help --defaults "$CONF/train.properties"
  exec java "$LOG4J" -cp "$JAR:$(spark_classpath)" "$MAIN" help --defaults "$CONF/train.properties"
fi

COMMAND="$1"; shift

# spark-submit's own options: those taking a value, and flags.
VALUE_OPTS=" --master --deploy-mode --name --jars --packages --exclude-packages --repositories --py-files --files \
 --archives --conf -c --properties-file --driver-memory --driver-java-options --driver-library-path \
 --driver-class-path --driver-cores --executor-memory --executor-cores --total-executor-cores --num-executors \
 --queue --principal --keytab --proxy-user "
FLAG_OPTS=" --supervise "

spark_args=(); app_args=()
has_master=0; has_props=0; has_defaults=0; driver_memory=""; driver_java_opts=""; deploy_mode=client; master=""
out=""; prev=""; files=""
while [[ $# -gt 0 ]]; do
  arg="$1"; name="${arg%%=*}"
  if [[ -n "$name" && "$VALUE_OPTS" == *" $name "* ]]; then
    if [[ "$arg" == *=* ]]; then value="${arg#*=}"; shift
    else
      if [[ $# -lt 2 ]]; then echo "error: $name needs a value" >&2; exit 2; fi
      value="$2"; shift 2
    fi
    case "$name" in
      --master) has_master=1; master="$value" ;;
      --deploy-mode) deploy_mode="$value" ;;
      --properties-file) has_props=1 ;;
      --driver-memory) driver_memory="$value" ;;
      --driver-java-options) driver_java_opts="$value"; continue ;;
      --files) files="$value"; continue ;;
    esac
    spark_args+=("$name" "$value")
  elif [[ -n "$name" && "$FLAG_OPTS" == *" $name "* ]]; then
    spark_args+=("$arg"); shift
  else
    [[ "$name" == "--defaults" ]] && has_defaults=1
    [[ "$prev" == "--out" ]] && out="$arg"
    [[ "$arg" == --out=* ]] && out="${arg#--out=}"
    prev="$arg"
    app_args+=("$arg"); shift
  fi
done
# the defaults file is the one the run reads; in cluster deploy mode a --defaults FILE of the user's may be the
# cluster's, not this machine's: then the run checks it
if [[ "$deploy_mode" != "cluster" || $has_defaults -eq 0 ]]; then
  check_defaults=()
  if [[ $has_defaults -eq 0 && ( "$deploy_mode" != "cluster" || "$master" == yarn* ) ]]; then
    check_defaults=(--defaults "$CONF/train.properties")
  fi
  run_check "$COMMAND" ${check_defaults[@]+"${check_defaults[@]}"} ${app_args[@]+"${app_args[@]}"}
fi
# What Spark needs before it starts, said in one line (Spark's own words would be a stack trace, or bash's)
if [[ -n "${SPARK_HOME:-}" && ! -x "$SPARK_HOME/bin/spark-submit" ]]; then
  echo "submit.sh: $SPARK_HOME/bin/spark-submit is missing: set SPARK_HOME to a Spark installation (the directory with" \
    "bin/spark-submit), or unset it to run the Spark of the build" >&2
  exit 2
fi
if [[ "$master" == yarn* && -z "${HADOOP_CONF_DIR:-}" && -z "${YARN_CONF_DIR:-}" ]] \
   && ! { [[ -n "${SPARK_HOME:-}" ]] && grep -qsE '(HADOOP|YARN)_CONF_DIR' "${SPARK_CONF_DIR:-$SPARK_HOME/conf}/spark-env.sh"; }; then
  echo "submit.sh: --master $master needs HADOOP_CONF_DIR (or YARN_CONF_DIR) set to the directory of the cluster's" \
    "core-site.xml and yarn-site.xml" >&2
  exit 2
fi
[[ $has_master -eq 1 ]] || spark_args+=(--master "local[*]")
[[ $has_props -eq 1 ]] || spark_args+=(--properties-file "$CONF/spark-defaults.conf")

if [[ "$deploy_mode" == "cluster" ]]; then
  # The driver runs on a node of the cluster, where this machine's files are not: on YARN our log4j file and the
  # train defaults go with it (--files, read from the container's directory); elsewhere the cluster's own logging
  # and the built-in defaults apply. This JVM only submits and waits: it shows the application's id, its state
  # changes and its final status (conf/log4j2-client.properties).
  if [[ "$master" == yarn* ]]; then
    files="$CONF/log4j2.properties,$CONF/train.properties${files:+,$files}"
    LOG4J="-Dlog4j2.configurationFile=log4j2.properties"
    [[ $has_defaults -eq 1 ]] || app_args=(--defaults train.properties "${app_args[@]}")
  else
    LOG4J=""
  fi
  [[ -z "$files" ]] || spark_args+=(--files "$files")
  spark_args+=(--conf spark.yarn.submit.waitAppCompletion=true --conf spark.standalone.submit.waitAppCompletion=true)
  client_log="-Dlog4j2.configurationFile=file:$CONF/log4j2-client.properties"
  if [[ -n "${SPARK_HOME:-}" ]]; then
    export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:-} $client_log"
    submit=("$SPARK_HOME/bin/spark-submit")
  else
    submit=(java "${JVM_FLAGS[@]}" -Xmx1g "$client_log" -cp "$JAR:$(spark_classpath)" org.apache.spark.deploy.SparkSubmit)
  fi
  set +e
  "${submit[@]}" --class "$MAIN" --driver-java-options "$LOG4J $driver_java_opts" "${spark_args[@]}" "$JAR" "$COMMAND" \
    "${app_args[@]}"
  code=$?
  set -e
  if [[ $code -eq 0 ]]; then
    what="the output"; [[ "$COMMAND" == train ]] && what="the model"
    echo "submit.sh: $COMMAND finished on ${master:-the cluster} (cluster deploy mode)${out:+; $what is in $out}" >&2
  else
    echo "submit.sh: $COMMAND failed on ${master:-the cluster} (exit code $code): the driver's log on the cluster says" \
      "why (on YARN: yarn logs -applicationId <the id above>)" >&2
  fi
  exit $code
fi

[[ -z "$files" ]] || spark_args+=(--files "$files")
[[ $has_defaults -eq 1 ]] || app_args=(--defaults "$CONF/train.properties" "${app_args[@]}")

if [[ -n "${SPARK_HOME:-}" ]]; then
  exec "$SPARK_HOME/bin/spark-submit" --class "$MAIN" --driver-java-options "$LOG4J $driver_java_opts" \
    "${spark_args[@]}" "$JAR" "$COMMAND" "${app_args[@]}"
fi

# No Spark installation: run SparkSubmit in this JVM from the build's classpath. The driver JVM is this
# one, so --driver-memory becomes its -Xmx (default 4g: in local mode the cached blocks live here).
xmx="${driver_memory:-${SPARK_DIGITS_DRIVER_MEMORY:-4g}}"
# shellcheck disable=SC2086
exec java "${JVM_FLAGS[@]}" "-Xmx$xmx" "$LOG4J" $driver_java_opts -cp "$JAR:$(spark_classpath)" \
  org.apache.spark.deploy.SparkSubmit --class "$MAIN" "${spark_args[@]}" "$JAR" "$COMMAND" "${app_args[@]}"
