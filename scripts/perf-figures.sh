#!/usr/bin/env bash
# Every measurement docs/performance.md cites, in one run, printed as a markdown table ready to paste (each row
# with its command, the Switchboard and same-run raw Kafka figures, the ratio= of the bench's last line and the
# CPU per 1,000 events per process).
#
#   scripts/perf-figures.sh [--small] [--events N] [--rate-events N] [--tail-seconds S] [--tail-sessions N]
#                           [--fanout-seconds S] [--fanout-sessions N] [--stream-fanout-seconds S]
#                           [--stream-fanout-sessions N] [--idle-sessions N] [--skip LIST]
#                           [--app DIR] [--out DIR] [--amqp URI]
#
# Measured, in order: standalone write and read over http and tcp with random and json payloads (8 runs, each
# with --baseline), commit latency at half the maximum write rate (the rate: half of the first write run's
# Switchboard events/s), a local cluster through the AMQP switch (write and read over http and tcp, --baseline,
# per-process CPU),
# fan-out end to end (bench --mode tail), scripts/FanOut.java (backend tier), scripts/StreamFanOut.java (API and
# backend tiers over TCP, streaming delivery against long polls) and scripts/IdleSessions.java.
# --skip takes a comma-separated list of: standalone, latency, cluster, tail, fanout, streamfanout, idle.
# Full size (the defaults) takes about 15 minutes on 2 cores; --small runs every step at a tiny size (the CI
# smoke test, ScriptsSmokeIT): the figures then mean nothing, only that every command still works.
# Output: the table on standard output, progress on standard error, every run's output and JSON under --out
# (default: a new temporary directory). Exit 1 when any step fails (the table then says which).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

small=false
events=200000
rate_events=""
tail_seconds=30
tail_sessions=100
fanout_seconds=30
fanout_sessions=100
stream_fanout_seconds=30
stream_fanout_sessions=100
idle_sessions=10000
skip=""
app=""
out=""
amqp=""
while [ $# -gt 0 ]; do
  case "$1" in
    --small) small=true; shift ;;
    --events) events="$2"; shift 2 ;;
    --rate-events) rate_events="$2"; shift 2 ;;
    --tail-seconds) tail_seconds="$2"; shift 2 ;;
    --tail-sessions) tail_sessions="$2"; shift 2 ;;
    --fanout-seconds) fanout_seconds="$2"; shift 2 ;;
    --fanout-sessions) fanout_sessions="$2"; shift 2 ;;
    --stream-fanout-seconds) stream_fanout_seconds="$2"; shift 2 ;;
    --stream-fanout-sessions) stream_fanout_sessions="$2"; shift 2 ;;
    --idle-sessions) idle_sessions="$2"; shift 2 ;;
    --skip) skip="$2"; shift 2 ;;
    --app) app="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --amqp) amqp="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "perf-figures.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if $small; then
  events=1000
  tail_seconds=2
  tail_sessions=3
  fanout_seconds=2
  fanout_sessions=3
  stream_fanout_seconds=2
  stream_fanout_sessions=3
  idle_sessions=20
fi
[ -n "$rate_events" ] || rate_events="$events"

JAVA_HOME="$("$root/scripts/find-jdk.sh")" || exit 1
export JAVA_HOME
java="$JAVA_HOME/bin/java"
if [ -z "$app" ]; then
  app="$root/switchboard-server/target/switchboard"
  [ -f "$app/switchboard.jar" ] || "$root/switchboard" --help >/dev/null 2>&1 || true
fi
[ -f "$app/switchboard.jar" ] || { echo "perf-figures.sh: no switchboard.jar in $app" >&2; exit 1; }
[ -n "$out" ] || out="$(mktemp -d -t sb-figures.XXXXXX)"
mkdir -p "$out"
cp="$app/switchboard.jar:$app/lib/*"
jvm=("$java" --sun-misc-unsafe-memory-access=allow)
rows="$out/rows.tsv" # kind, name, command, json-or-log file, ratio line
: >"$rows"
failed=0
started=$(date +%s)

skipped() { [[ ",$skip," == *",$1,"* ]]; }
say() { echo "[perf-figures $(($(date +%s) - started)) s] $*" >&2; }

# bench NAME ARGS...: one bench run; its JSON in $out/NAME.json, its output in $out/NAME.out
bench() {
  local name="$1"; shift
  say "bench $*"
  if "${jvm[@]}" -jar "$app/switchboard.jar" bench "$@" --json "$out/$name.json" >"$out/$name.out" 2>"$out/$name.err"; then
    printf 'bench\t%s\t%s\t%s\t%s\n' "$name" "./switchboard bench $*" "$out/$name.json" \
      "$(grep '^ratio=' "$out/$name.out" | tail -n 1)" >>"$rows"
  else
    say "FAILED: bench $* (log: $out/$name.err)"
    tail -n 15 "$out/$name.err" >&2
    printf 'failed\t%s\t%s\t%s\t\n' "$name" "./switchboard bench $*" "$out/$name.err" >>"$rows"
    failed=1
  fi
}

# script NAME FILE HEAP ARGS...: java on a source file of scripts/ with the application on the class path
script() {
  local name="$1" file="$2" heap="$3"; shift 3
  say "java $file $*"
  if "${jvm[@]}" "-Xmx$heap" -cp "$cp" "$root/scripts/$file" "$@" >"$out/$name.out" 2>"$out/$name.err"; then
    printf 'script\t%s\t%s\t%s\t\n' "$name" "java -Xmx$heap -cp \"\$cp\" scripts/$file $*" "$out/$name.out" >>"$rows"
  else
    say "FAILED: $file $* (log: $out/$name.out, $out/$name.err)"
    tail -n 15 "$out/$name.out" >&2
    printf 'failed\t%s\t%s\t%s\t\n' "$name" "java scripts/$file $*" "$out/$name.out" >>"$rows"
    failed=1
  fi
}

common=(--events "$events" --size 1024 --baseline)
if $small; then common+=(--warmup 500); fi

if ! skipped standalone; then
  for transport in http tcp; do
    for payload in random json; do
      for mode in write read; do
        bench "$mode-$transport-$payload" --standalone --mode "$mode" --transport "$transport" --payload "$payload" "${common[@]}"
      done
    done
  done
fi

if ! skipped latency; then
  max=""
  [ -f "$out/write-http-random.json" ] && max=$(grep -o '"eventsPerSecond" : [0-9.]*' "$out/write-http-random.json" | head -n 1 | awk '{print int($3)}')
  if [ -z "$max" ] || [ "$max" -lt 2 ]; then
    say "no write run to take the maximum rate from: measuring one"
    bench write-max --standalone --mode write --events "$events" --size 1024 $($small && echo --warmup 500)
    max=$(grep -o '"eventsPerSecond" : [0-9.]*' "$out/write-max.json" 2>/dev/null | head -n 1 | awk '{print int($3)}')
  fi
  half=$(( ${max:-2} / 2 ))
  [ "$half" -ge 1 ] || half=1
  bench "commit-latency" --standalone --mode write --events "$rate_events" --size 1024 --baseline --rate "$half" \
    $($small && echo --warmup 500)
fi

if ! skipped cluster; then
  lc="$out/local-cluster"
  say "local-cluster --shards 1 --backends 1 --apis 1 --data-dir $lc"
  amqp_args=()
  [ -n "$amqp" ] && amqp_args=(--amqp "$amqp")
  "${jvm[@]}" -jar "$app/switchboard.jar" local-cluster --shards 1 --backends 1 --apis 1 --data-dir "$lc" \
    "${amqp_args[@]}" >"$out/local-cluster.out" 2>&1 &
  cluster_pid=$!
  for _ in $(seq 1 240); do
    [ -f "$lc/cluster.json" ] && grep -q '"role" : "api"' "$lc/cluster.json" && break
    kill -0 "$cluster_pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -f "$lc/cluster.json" ] && kill -0 "$cluster_pid" 2>/dev/null; then
    url=$(grep -o '"api-urls" : \[ "[^"]*"' "$lc/cluster.json" | sed 's/.*\[ "//; s/"$//')
    tcp_url=$(grep -o '"api-tcp-urls" : \[ "[^"]*"' "$lc/cluster.json" | sed 's/.*\[ "//; s/"$//')
    kafka=$(grep -o '"kafka-bootstrap-servers" : "[^"]*"' "$lc/cluster.json" | sed 's/.*: "//; s/"$//')
    cpu_of=()
    rabbit=$(pgrep -o beam.smp || true)
    [ -n "$rabbit" ] && cpu_of=(--cpu-of "rabbitmq=$rabbit")
    for transport in http tcp; do
      target="$url"
      [ "$transport" = tcp ] && target="$tcp_url"
      if [ -z "$target" ]; then
        say "no $transport URL in $lc/cluster.json: skipping the cluster over $transport"
        continue
      fi
      for mode in write read; do
        bench "cluster-$mode-$transport" --url "$target" --kafka "$kafka" --token-file "$lc/dev-token" \
          --mode "$mode" "${common[@]}" --cluster-json "$lc/cluster.json" "${cpu_of[@]}"
      done
    done
  else
    say "FAILED: the local cluster did not start (log: $out/local-cluster.out)"
    tail -n 15 "$out/local-cluster.out" >&2
    printf 'failed\tcluster\t./switchboard local-cluster --shards 1 --backends 1 --apis 1\t%s\t\n' "$out/local-cluster.out" >>"$rows"
    failed=1
  fi
  kill -TERM "$cluster_pid" 2>/dev/null
  wait "$cluster_pid" 2>/dev/null
fi

if ! skipped tail; then
  tail_args=(--standalone --mode tail --sessions "$tail_sessions" --size 1024 --duration "$tail_seconds")
  if $small; then tail_args+=(--rate 50 --warmup 50); fi
  bench "tail" "${tail_args[@]}"
fi

if ! skipped fanout; then
  script fanout FanOut.java 1g "$fanout_sessions" 200 "$fanout_seconds" 1024
fi

if ! skipped streamfanout; then
  script streamfanout StreamFanOut.java 1g "$stream_fanout_sessions" 200 "$stream_fanout_seconds" 1024 both
fi

if ! skipped idle; then
  script idle IdleSessions.java 1g "$idle_sessions" $(( idle_sessions / 10 > 0 ? idle_sessions / 10 : 1 ))
fi

say "done in $(($(date +%s) - started)) s; outputs under $out"
python3 "$root/scripts/perf-table.py" "$rows" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" \
  "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$small" || failed=1
exit "$failed"
