#!/usr/bin/env bash
# Regenerates the Java sources of the Thrift IDL (switchboard-protocol/src/main/thrift-gen): switchboard.thrift (the
# client protocol) and switch.thrift (the switch's internal envelopes, which include it), and the stamp that the
# build's ThriftSourcesAreCurrentTest compares against the IDL files and the generated sources.
#   scripts/generate-thrift.sh          regenerate
#   scripts/generate-thrift.sh --check  fail when the committed sources differ from a fresh generation
# Needs Debian's thrift-compiler 0.17.0 (apt-get install thrift-compiler), the version libthrift matches.
set -euo pipefail
cd "$(dirname "$0")/.."
module=switchboard-protocol
idl_dir=$module/src/main/thrift
idls=("$idl_dir/switchboard.thrift" "$idl_dir/switch.thrift")
out=$module/src/main/thrift-gen
stamp=$module/src/main/resources/dev/switchboard/protocol/thrift-idl.sha256

command -v thrift >/dev/null || { echo "thrift compiler not found: apt-get install thrift-compiler" >&2; exit 1; }
version=$(thrift --version | awk '{print $3}')
[ "$version" = "0.17.0" ] || { echo "thrift $version found; the sources are generated with 0.17.0" >&2; exit 1; }

generate() {
  rm -rf "$1" && mkdir -p "$1"
  for idl in "${idls[@]}"; do
    thrift --gen java:generated_annotations=suppress,unsafe_binaries -out "$1" "$idl"
  done
}

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  generate "$tmp"
  diff -r "$tmp" "$out" >/dev/null || { echo "generated Thrift sources are stale: run scripts/generate-thrift.sh" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$tmp"
  echo "generated Thrift sources are current"
  exit 0
fi

generate "$out"
mkdir -p "$(dirname "$stamp")"
# one line per IDL file: "<sha-256 hex> <file name>", in name order; then one line "<sha-256 hex> thrift-gen" over the
# generated sources, so that a hand edit to them fails ThriftSourcesAreCurrentTest too. That hash is the SHA-256 of
# the listing "<sha-256 hex> <path relative to thrift-gen>\n" per generated file, in byte order of the path.
(cd "$idl_dir" && sha256sum ./*.thrift | sed 's| \*\?\./| |' | awk '{print $1 " " $2}' | sort -k2) > "$stamp"
generated=$(cd "$out" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
  echo "$(sha256sum "$f" | awk '{print $1}') $f"; done | sha256sum | awk '{print $1}')
echo "$generated thrift-gen" >> "$stamp"
echo "generated $(find "$out" -name '*.java' | wc -l) files into $out"
