#!/usr/bin/env bash
# Where the CPU goes: records a JFR profile of standalone bench runs and prints the top frames per tier (SDK, API,
# switch, backend, broker: one JVM, so each sample is given to the tier whose code it runs, see scripts/JfrTop.java).
#
#   scripts/profile.sh [--app DIR] [--out DIR] [--modes write,read] [--events N] [--size BYTES]
#                      [--transport http|tcp] [--payload random|json] [--top N]
#
# --app: a packaged application (switchboard-server/target/switchboard of any build, e.g. an older commit's in a
# temporary clone, to profile "before"); default: this checkout's, built by ./switchboard when missing.
# Only the JDK's own tools: -XX:StartFlightRecording (settings=profile: an execution sample every 10-20 ms per
# thread) and the jdk.jfr API. The recordings stay in --out (default: a new temporary directory) for `jfr print`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

app=""
out=""
modes="write,read"
events=200000
size=1024
transport=http
payload=random
top=8
while [ $# -gt 0 ]; do
  case "$1" in
    --app) app="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --transport) transport="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

JAVA_HOME="$("$root/scripts/find-jdk.sh")" || exit 1
java="$JAVA_HOME/bin/java"
if [ -z "$app" ]; then
  app="$root/switchboard-server/target/switchboard"
  [ -f "$app/switchboard.jar" ] || "$root/switchboard" --help >/dev/null || true
fi
[ -f "$app/switchboard.jar" ] || { echo "profile.sh: no switchboard.jar in $app" >&2; exit 1; }
[ -n "$out" ] || out="$(mktemp -d -t sb-profile.XXXXXX)"
mkdir -p "$out"

for mode in ${modes//,/ }; do
  recording="$out/$mode-$transport-$payload.jfr"
  echo "== bench --standalone --mode $mode --events $events --size $size --transport $transport --payload $payload (JFR: $recording)"
  # every line of the run with the time it came (epoch ms), to find the measured phase's window
  log="$out/$mode.log"
  "$java" --sun-misc-unsafe-memory-access=allow \
    "-XX:StartFlightRecording=filename=$recording,settings=profile,dumponexit=true" \
    -jar "$app/switchboard.jar" bench --standalone --mode "$mode" --events "$events" --size "$size" \
    --transport "$transport" --payload "$payload" 2>&1 \
    | while IFS= read -r line; do printf '%s %s\n' "$(date +%s%3N)" "$line"; done >"$log"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    tail -n 20 "$log" >&2
    echo "profile.sh: the bench failed (log: $log)" >&2
    exit 1
  fi
  grep -E '^[0-9]+ (switchboard |kafka |ratio=)' "$log" | cut -d' ' -f2- || true
  # the measured phase: from its first progress line (printed 2 s into it) less 2 s, to the line that reports it;
  # a phase shorter than 2 s has no progress line, and then the whole run is read
  window=$(awk '/\[switchboard [a-z]+ \(measured\)\]/ && !start { start = $1 - 2000 }
                start && $2 == "switchboard" && $5 == "events" && !end { end = $1 }
                END { if (start && end) print start, end }' "$log")
  if [ -n "$window" ]; then
    echo "(samples of the measured phase only: epoch ms $window)"
  else
    echo "(the measured phase was too short to find: samples of the whole run)"
  fi
  "$java" "$root/scripts/JfrTop.java" "$recording" "$top" $window
  echo
done
echo "recordings: $out"
