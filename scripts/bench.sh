#!/usr/bin/env bash
# make bench: every benchmark next to its baseline, with peak memory, then a
# summary table (docs/benchmarks.md explains how to read it).
#
#   BENCHTIME=2s          per benchmark (go test -benchtime) for all but memory
#   BENCH_REQUESTS=6000   POSTs per process in BenchmarkMemory
#   SOIS_BENCH_CLIENTS=16 parallel HTTP clients per contender
#   BENCH_OUT=bin/bench.txt  where the raw `go test` output is kept
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
BENCHTIME=${BENCHTIME:-2s}
BENCH_REQUESTS=${BENCH_REQUESTS:-6000}
OUT=${BENCH_OUT:-bin/bench.txt}
mkdir -p bin "$(dirname "$OUT")"

# The memory benchmark runs the real binaries as child processes.
$GO build -o bin/soisnode ./cmd/soisnode
$GO build -o bin/benchbase ./testbed/benchbase/cmd/benchbase
export SOIS_BENCH_BIN=$PWD/bin/soisnode SOIS_BENCH_BASE_BIN=$PWD/bin/benchbase

{
	echo "# soisnode benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs"
	$GO test -run '^$' -bench . -skip 'BenchmarkMemory' -benchmem -benchtime="$BENCHTIME" -count=1 -timeout 30m ./...
	$GO test -run '^$' -bench 'BenchmarkMemory' -benchmem -benchtime="${BENCH_REQUESTS}x" -count=1 -timeout 30m ./testbed/
} 2>&1 | tee "$OUT"

# Summary: one row per benchmark that reports a baseline ratio.
awk '
function metric(unit,   i) {
	for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i
	return ""
}
function num(v, fmt) { return v == "" ? "-" : sprintf(fmt, v) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	r = metric("ratio")
	if (metric("prompt-tokens") != "") {
		tokens = sprintf("%s: %d prompt tokens for the standard request (%d without tools, %d for %d tool declarations, %.1fx); openaifake counts %d (%d bytes on the wire)",
			name, metric("prompt-tokens"), metric("base-prompt-tokens"), metric("tool-tokens"), metric("tools"),
			metric("ratio"), metric("wire-prompt-tokens"), metric("wire-bytes"))
		next
	}
	if (metric("node-idle-RSS-MB") != "") {
		mem[++nm] = sprintf("| %-28s | %9s | %9s | %9s | %9s | %9s | %9s | %9s |", name,
			num(metric("node-idle-RSS-MB"), "%.1f"), num(metric("node-idle-anon-MB"), "%.1f"),
			num(metric("peak-RSS-MB"), "%.1f"), num(metric("node-growth-MB"), "%+.1f"),
			num(metric("base-idle-RSS-MB"), "%.1f"), num(metric("base-peak-RSS-MB"), "%.1f"), num(metric("base-growth-MB"), "%+.1f"))
	}
	if (metric("node-µs") != "") { # database work only, one client: ops/s = 1e6 / µs per message
		rows[++n] = sprintf("| %-34s | %12s | %12s | %6s | %12s |", name " (db only)",
			num(1e6 / metric("node-µs"), "%.0f"), num(1e6 / metric("base-µs"), "%.0f"), num(r, "%.2f"), "-")
		next
	}
	if (r == "") next
	rows[++n] = sprintf("| %-34s | %12s | %12s | %6s | %12s |", name,
		num(metric("node-ops/s"), "%.0f"), num(metric("base-ops/s"), "%.0f"), num(r, "%.2f"), num(metric("peak-RSS-MB"), "%.1f"))
}
END {
	print ""
	print "## Summary (ratio = node / baseline, same run; see docs/benchmarks.md)"
	print ""
	printf("| %-34s | %12s | %12s | %6s | %12s |\n", "benchmark", "node ops/s", "base ops/s", "ratio", "peak RSS MB")
	printf("|%s|%s|%s|%s|%s|\n", "------------------------------------", "--------------", "--------------", "--------", "--------------")
	for (i = 1; i <= n; i++) print rows[i]
	if (nm > 0) {
		print ""
		print "Resident memory of the processes (MB): soisnode serve vs the bare baseline server"
		print ""
		printf("| %-28s | %9s | %9s | %9s | %9s | %9s | %9s | %9s |\n", "benchmark", "idle", "idle anon", "peak", "growth", "base idle", "base peak", "base grow")
		printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------------", "-----------", "-----------", "-----------", "-----------", "-----------", "-----------", "-----------")
		for (i = 1; i <= nm; i++) print mem[i]
	}
	if (tokens != "") { print ""; print tokens }
}' "$OUT" | tee -a "$OUT"
