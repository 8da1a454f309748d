#!/usr/bin/env bash
# make bench: every benchmark next to its baseline or peer in the same run,
# with resident memory, written as one report: the tables between the
# bench:begin/end markers of docs/benchmarks.md (testbed/cmd/benchreport),
# the latency plot docs/bench-latency.svg, and the raw `go test` output in
# bin/bench.txt. About 3½ minutes of benchmarks on 2 CPUs, plus compiling
# (docs/benchmarks.md).
#
#   SOIS_BENCH_SECONDS=1.5  load per external run (BenchmarkExternal, ScaleOut)
#   BENCHTIME=1000x         iterations of the in-process comparisons
#   SENDTIME=10000x         iterations of BenchmarkSendMessage (package a2a)
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

# The external benchmarks run the real binaries as child processes. One
# go command builds every binary, and one every test binary (each package
# compiled and linked once, not once per benchmark run).
$GO build -o bin/ ./cmd/soisnode ./testbed/benchbase/cmd/benchbase ./testbed/cmd/loadgen \
	./testbed/cmd/benchreport ./testbed/cmd/testbed ./testbed/a2agosut
export SOIS_BENCH_BIN=$PWD/bin/soisnode SOIS_BENCH_BASE_BIN=$PWD/bin/benchbase SOIS_BENCH_LOADGEN=$PWD/bin/loadgen
export SOIS_BENCH_A2AGO_BIN=$PWD/bin/a2agosut
export SOIS_BENCH_SVG=$PWD/docs/bench-latency.svg
TESTBIN=bin/bench
rm -rf "$TESTBIN"
$GO test -c -o "$TESTBIN/" ./testbed/ ./agent/ ./signing/ ./webhook/ ./a2a/

# A benchmark that fails (wrong work, never slowness) does not stop the
# others or the report; make bench fails at the end.
FAILED=$(mktemp)
trap 'rm -f "$FAILED"' EXIT
bench() { # package directory, benchmark regexp, benchtime
	# Run in the package's directory, as go test does.
	(cd "$1" && "$OLDPWD/$TESTBIN/$(basename "$1").test" -test.run '^$' -test.bench "$2" \
		-test.benchmem -test.benchtime="$3" -test.timeout 20m) || echo "$1 $2" >> "$FAILED"
}

{
	echo "# soisnode benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse HEAD 2>/dev/null || echo '?'), $(nproc) CPUs"
	# Measured from outside: pinned binaries under wrk/loadgen, the turns,
	# the sweep and plot; scale-out on PostgreSQL.
	bench ./testbed '^(BenchmarkExternal|BenchmarkScaleOut)$' 1x
	# In-process comparisons, each beside its baseline or peer.
	bench ./testbed '^(BenchmarkAcceptPath|BenchmarkPromptTokens)$' "$BENCHTIME"
	# Resident memory at constant load (growth between rounds; ~15 s).
	bench ./testbed '^BenchmarkMemory$/^sqlite$' 6000x
	bench ./testbed '^BenchmarkNegotiationTurn$' 200x
	bench ./agent '^BenchmarkHistoryTokens$' "$BENCHTIME"
	bench ./signing '^BenchmarkJWS$' "$BENCHTIME"
	bench ./webhook '^(BenchmarkWebhookDelivery|BenchmarkWebhookSlowReceiver)$' 300x
	# Ten rounds of 1 000 sends a contender: at $BENCHTIME a round lasts
	# ~16 ms on SQLite, too short for a ratio on a shared machine.
	bench ./a2a '^BenchmarkSendMessage$' "${SENDTIME:-10000x}"
} 2>&1 | tee "$OUT"

# ---- Sections other helpers' commands add to the report ---------------------
# Each command below writes one Markdown section (its own "### " heading)
# to a file in $SECTIONS; every file is appended to the report in order.
SECTIONS=$(mktemp -d)
trap 'rm -rf "$SECTIONS" "$FAILED"' EXIT
# The negotiation-quality scores: the local agent, an accept-first baseline
# and the model negotiator over the same games (docs/testbed.md).
./bin/testbed quality -games 50 -format md > "$SECTIONS/50-quality.md"
# The local agent's understanding: shares of the development and the
# held-out test set done, asked back, refused and done wrongly, and the
# p99/p50 time to understand a message (docs/local-agent.md).
# A failing floor (a wrong write, too few handled) is said, not fatal:
# the section still holds the table.
SOIS_CORPUS_MD="$SECTIONS/60-local-agent.md" $GO test -count=1 -run '^TestCorpus$' ./agent/local/ > /dev/null ||
	echo "make bench: agent/local TestCorpus failed its floor; see the local agent section" >&2
# ---- end of appended sections ------------------------------------------------

extra=()
for f in "$SECTIONS"/*.md; do [ -e "$f" ] && extra+=(-extra "$f"); done
./bin/benchreport -in "$OUT" ${DOC:+-doc "$DOC"} -cmd "make bench" \
	-commit "$(git rev-parse HEAD 2>/dev/null || echo '?')" -seconds $(( $(date +%s) - start )) "${extra[@]}"
if [ -s "$FAILED" ]; then
	echo "make bench: these benchmarks failed (see $OUT):" >&2
	cat "$FAILED" >&2
	exit 1
fi
