#!/usr/bin/env bash
# The chaos suite, full version: a local cluster (1 shard, 2 backends, 2 API nodes, Kafka, an embedded Qpid
# broker it owns; never the machine's RabbitMQ) under steady produce/consume load while, in turn, a backend is
# killed (-9), a backend is drained (SIGTERM), an API node is killed, the AMQP broker stops for 15 s, and Kafka
# is killed and restarted; then a backend is killed (-9) and one drained under an exactly-once writer (duplicates
# must be 0 there). `scripts/chaos.sh -Dchaos.faults=EXACTLY_ONCE_BACKEND_KILL,...` runs only the named faults
# (ChaosSuiteIT.Fault). Prints the table of docs/reliability.md ("Faults") and writes it to
# switchboard-server/target/chaos/faults.md. Takes about 10 minutes; run it on an otherwise idle machine.
# The short version (the two backend faults) runs in every `./mvnw verify` as ChaosSuiteIT.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="$("$root/scripts/find-jdk.sh")"
export JAVA_HOME
cd "$root"
./mvnw -B -q -pl switchboard-server -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ChaosSuiteIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dspotless.check.skip=true -Dchaos.full=true "$@" \
  || { echo "chaos: the suite failed (see switchboard-server/target/failsafe-reports)" >&2; status=1; }
if [ -f switchboard-server/target/chaos/faults.md ]; then
  cat switchboard-server/target/chaos/faults.md
fi
exit "${status:-0}"
