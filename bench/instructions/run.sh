#!/bin/bash
# Instructions per request of balanced and raw clients, counted by callgrind: a steadier figure
# than req/s on a shared machine (see the README's overhead section).
#
#   bench/instructions/run.sh [client] [modes] [warm-up] [window] [rounds]
#   bench/instructions/run.sh undici raw,balanced,control 3000 2000 5
#   ROOT=/path/to/older/checkout bench/instructions/run.sh undici raw,balanced   # before
#
# Compare modes measured in the same process configuration: every extra client in the process
# (another mode, another checkout's copy of the packages) makes shared inline caches megamorphic
# and raises every figure (raw undici 92k alone with one balanced client, 127k beside three).
#
# CACHE=1 also simulates the caches and branch predictor (callgrind's --cache-sim, --branch-sim) and
# prints misses per request by mode (cache.mjs): what instruction counts cannot show.
#
# FUNCTIONS=1 also prints where the instructions go, function by function, and how each mode
# differs from the first (functions.mjs; slower: instruction-level dumps and Node's perf map).
#
# client: undici | undici-null | got | axios. Needs valgrind and Node's headers (Debian: valgrind,
# libnode-dev) and a built repository (pnpm -r build, tsc -b bench). The servers are 4 loopback
# listeners in a process of their own; only the client runs under valgrind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# ROOT: the checkout whose clients are measured (default: this one), e.g. a worktree of an older commit.
root=$(cd "${ROOT:-$here/../..}" && pwd)
client=${1:-undici} modes=${2:-raw,balanced,control} warm=${3:-3000} window=${4:-2000} rounds=${5:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/datapunk-instructions.XXXXXX")
trap 'kill "$server" 2>/dev/null || true' EXIT
gcc -shared -fPIC -O2 -I/usr/include/node -o "$work/toggle.node" "$here/toggle.c"
node "$here/server.mjs" > "$work/urls.json" & server=$!
for _ in $(seq 1 50); do [ -s "$work/urls.json" ] && break; sleep 0.1; done
[ -s "$work/urls.json" ] || { echo "the servers did not start" >&2; exit 1; }
functions=${FUNCTIONS:-}
dump_instr=no perf_map=()
[ -n "$functions" ] && dump_instr=yes perf_map=(--perf-basic-prof --logfile="$work/v8.log" --no-logfile-per-isolate)
valgrind --tool=callgrind ${CACHE:+--cache-sim=yes --branch-sim=yes} --collect-atstart=no --dump-instr=$dump_instr --compress-strings=no --compress-pos=no \
  --callgrind-out-file="$work/cg.out" node "${perf_map[@]}" --predictable --predictable-gc-schedule --random-seed=42 \
  "$here/windows.mjs" "$root" "$client" "$modes" "$warm" "$window" "$rounds" "$(cat "$work/urls.json")" "$work/toggle.node" > "$work/log" 2>&1
node "$here/summary.mjs" "$work" "$window"
[ -n "${CACHE:-}" ] && node "$here/cache.mjs" "$work" "$window"
if [ -n "$functions" ]; then
  for pid in $(grep -h '^pid:' "$work"/cg.out.* | awk '{print $2}' | sort -u); do mv "/tmp/perf-$pid.map" "$work/"; done
  node "$here/functions.mjs" "$work" "$window" "$modes" "${TOP:-30}"
fi
echo "(dumps in $work)"
