#!/usr/bin/env bash
# make bench: every benchmark next to its baseline or peer in the same run,
# with resident memory, written as one report: the tables between the
# bench:begin/end markers of docs/benchmarks.md (testbed/cmd/benchreport),
# the latency plot docs/bench-latency.svg, and the raw `go test` output in
# bin/bench.txt. About 4–5 minutes on 2 CPUs.
#
#   SOIS_BENCH_SECONDS=1.5  load per external run (BenchmarkExternal, ScaleOut)
#   BENCHTIME=1000x         iterations of the in-process comparisons
#   BENCH_OUT=bin/bench.txt where the raw output is kept
#   BENCH_DOC=docs/benchmarks.md  the report ("" to only print it)
#
# The external-process rows use wrk when it is on PATH (Debian package
# wrk, installed by .ci/run), otherwise testbed/cmd/loadgen; the report
# says which. Nothing is installed at run time.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
BENCHTIME=${BENCHTIME:-1000x}
OUT=${BENCH_OUT:-bin/bench.txt}
DOC=${BENCH_DOC-docs/benchmarks.md}
export SOIS_BENCH_SECONDS=${SOIS_BENCH_SECONDS:-1.5}
mkdir -p bin "$(dirname "$OUT")"
start=$(date +%s)

# The external benchmarks run the real binaries as child processes.
$GO build -o bin/soisnode ./cmd/soisnode
$GO build -o bin/benchbase ./testbed/benchbase/cmd/benchbase
$GO build -o bin/loadgen ./testbed/cmd/loadgen
$GO build -o bin/benchreport ./testbed/cmd/benchreport
export SOIS_BENCH_BIN=$PWD/bin/soisnode SOIS_BENCH_BASE_BIN=$PWD/bin/benchbase SOIS_BENCH_LOADGEN=$PWD/bin/loadgen
export SOIS_BENCH_SVG=$PWD/docs/bench-latency.svg

bench() { # package, benchmark regexp, benchtime
	$GO test -run '^$' -bench "$2" -benchmem -benchtime="$3" -count=1 -timeout 20m "$1"
}

{
	echo "# soisnode benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse HEAD 2>/dev/null || echo '?'), $(nproc) CPUs"
	# Measured from outside: pinned binaries under wrk/loadgen, the turns, the sweep and plot.
	bench ./testbed/ '^BenchmarkExternal$' 1x
	bench ./testbed/ '^BenchmarkScaleOut$' 1x
	# In-process comparisons, each beside its baseline or peer.
	bench ./testbed/ '^(BenchmarkAcceptPath|BenchmarkPromptTokens)$' "$BENCHTIME"
	bench ./testbed/ '^BenchmarkNegotiationTurn$' 200x
	bench ./agent/ '^BenchmarkHistoryTokens$' "$BENCHTIME"
	bench ./signing/ '^BenchmarkJWS$' "$BENCHTIME"
	bench ./webhook/ '^(BenchmarkWebhookDelivery|BenchmarkWebhookSlowReceiver)$' 300x
	bench ./a2a/ '^BenchmarkSendMessage$' "$BENCHTIME"
} 2>&1 | tee "$OUT"

# ---- Sections other helpers' commands add to the report ---------------------
# Each command below writes one Markdown section (its own "### " heading)
# to a file in $SECTIONS; every file is appended to the report in order.
SECTIONS=$(mktemp -d)
trap 'rm -rf "$SECTIONS"' EXIT
# The negotiation-quality scores: the local agent, an accept-first baseline
# and the model negotiator over the same games (docs/testbed.md).
$GO run ./testbed/cmd/testbed quality -games 50 -format md > "$SECTIONS/50-quality.md"
# ---- end of appended sections ------------------------------------------------

extra=()
for f in "$SECTIONS"/*.md; do [ -e "$f" ] && extra+=(-extra "$f"); done
./bin/benchreport -in "$OUT" ${DOC:+-doc "$DOC"} -cmd "make bench" \
	-commit "$(git rev-parse HEAD 2>/dev/null || echo '?')" -seconds $(( $(date +%s) - start )) "${extra[@]}"
