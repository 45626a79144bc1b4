#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm, else the
# JDK of `java` on the PATH. Exits 1 with a clear message when there is none.
# Used by ./switchboard, .ci/run and the README's test command: JAVA_HOME=$(scripts/find-jdk.sh) ./mvnw verify
set -uo pipefail

major_of() { # prints the major version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1])}'
}

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir%/}"); done
if command -v javac >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
fi

for home in "${candidates[@]}"; do
  major=$(major_of "$home")
  if [ -n "$major" ] && [ "$major" -ge 21 ]; then
    echo "$home"
    exit 0
  fi
done

echo "switchboard needs a JDK 21 or newer; none found in JAVA_HOME, /usr/lib/jvm or on the PATH." >&2
echo "Install one (e.g. apt-get install openjdk-21-jdk-headless, or Temurin 21/25) and set JAVA_HOME." >&2
exit 1
