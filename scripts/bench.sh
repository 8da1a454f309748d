#!/usr/bin/env bash
# make bench: every benchmark next to its baseline, with peak memory, then a
# summary table (docs/benchmarks.md explains how to read it).
#
#   BENCHTIME=2s          per benchmark (go test -benchtime) for all but memory
#   ACCEPT_COUNT=3        runs of the accept-path benchmarks (the summary shows
#                         the median ratio: on a shared machine one run is noisy)
#   BENCH_REQUESTS=6000   POSTs per process in BenchmarkMemory
#   SOIS_BENCH_CLIENTS=16 parallel HTTP clients per contender
#   BENCH_OUT=bin/bench.txt  where the raw `go test` output is kept
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
BENCHTIME=${BENCHTIME:-2s}
ACCEPT_COUNT=${ACCEPT_COUNT:-3}
BENCH_REQUESTS=${BENCH_REQUESTS:-6000}
OUT=${BENCH_OUT:-bin/bench.txt}
mkdir -p bin "$(dirname "$OUT")"

# The memory benchmark runs the real binaries as child processes.
$GO build -o bin/soisnode ./cmd/soisnode
$GO build -o bin/benchbase ./testbed/benchbase/cmd/benchbase
export SOIS_BENCH_BIN=$PWD/bin/soisnode SOIS_BENCH_BASE_BIN=$PWD/bin/benchbase

{
	echo "# soisnode benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs"
	$GO test -run '^$' -bench . -skip 'BenchmarkMemory|BenchmarkAccept' -benchmem -benchtime="$BENCHTIME" -count=1 -timeout 30m ./...
	$GO test -run '^$' -bench 'BenchmarkAccept' -benchmem -benchtime="$BENCHTIME" -count="$ACCEPT_COUNT" -timeout 30m ./testbed/
	$GO test -run '^$' -bench 'BenchmarkMemory' -benchmem -benchtime="${BENCH_REQUESTS}x" -count=1 -timeout 30m ./testbed/
} 2>&1 | tee "$OUT"

# Summary: one row per benchmark that reports a baseline ratio; a benchmark
# run several times (-count) shows the median of each column over its runs
# (and the largest peak RSS).
awk '
function metric(unit,   i) {
	for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i
	return ""
}
function num(v, fmt) { return v == "" ? "-" : sprintf(fmt, v) }
function add(key, v) { if (v != "") { cnt[key]++; val[key, cnt[key]] = v } }
function med(key,   n, i, j, t, a) {
	n = cnt[key]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
function mx(key,   i, m) {
	m = ""
	for (i = 1; i <= cnt[key]; i++) if (m == "" || val[key, i] + 0 > m + 0) m = val[key, i]
	return m
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	if (metric("prompt-tokens") != "") {
		tokens = sprintf("%s: %d prompt tokens for the standard request (%d without tools, %d for %d tool declarations, %.1fx); openaifake counts %d (%d bytes on the wire)",
			name, metric("prompt-tokens"), metric("base-prompt-tokens"), metric("tool-tokens"), metric("tools"),
			metric("ratio"), metric("wire-prompt-tokens"), metric("wire-bytes"))
		next
	}
	if (metric("turns/s") != "") { # BenchmarkTurns: finished work, closed loop
		turns[++nt] = sprintf("| %-30s | %9.1f | %9.1f | %9.1f | %9.1f |", name,
			metric("turns/s"), metric("p50-ms"), metric("p99-ms"), metric("peak-RSS-MB"))
		next
	}
	if (metric("ratio") == "") next
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	runs[name]++
	if (metric("node-µs") != "") { # database work only, one client: ops/s = 1e6 / µs per message
		kind[name] = "steps"
		add(name SUBSEP "node", 1e6 / metric("node-µs")); add(name SUBSEP "base", 1e6 / metric("base-µs"))
	} else {
		add(name SUBSEP "node", metric("node-ops/s")); add(name SUBSEP "base", metric("base-ops/s"))
	}
	add(name SUBSEP "ratio", metric("ratio")); add(name SUBSEP "peak", metric("peak-RSS-MB"))
	if (metric("node-idle-RSS-MB") != "") {
		mem[++nm] = sprintf("| %-28s | %9s | %9s | %9s | %9s | %9s | %9s | %9s |", name,
			num(metric("node-idle-RSS-MB"), "%.1f"), num(metric("node-idle-anon-MB"), "%.1f"),
			num(metric("peak-RSS-MB"), "%.1f"), num(metric("node-growth-MB"), "%+.1f"),
			num(metric("base-idle-RSS-MB"), "%.1f"), num(metric("base-peak-RSS-MB"), "%.1f"), num(metric("base-growth-MB"), "%+.1f"))
	}
}
END {
	print ""
	print "## Summary (ratio = node / baseline, same run; see docs/benchmarks.md)"
	print ""
	printf("| %-34s | %12s | %12s | %6s | %12s |\n", "benchmark", "node ops/s", "base ops/s", "ratio", "peak RSS MB")
	printf("|%s|%s|%s|%s|%s|\n", "------------------------------------", "--------------", "--------------", "--------", "--------------")
	for (i = 1; i <= n; i++) {
		k = order[i]; label = k
		if (kind[k] == "steps") label = label " (db only)"
		if (runs[k] > 1) label = label " x" runs[k]
		printf("| %-34s | %12s | %12s | %6s | %12s |\n", label,
			num(med(k SUBSEP "node"), "%.0f"), num(med(k SUBSEP "base"), "%.0f"), num(med(k SUBSEP "ratio"), "%.2f"), num(mx(k SUBSEP "peak"), "%.1f"))
	}
	if (nm > 0) {
		print ""
		print "Resident memory of the processes (MB): soisnode serve vs the bare baseline server"
		print ""
		printf("| %-28s | %9s | %9s | %9s | %9s | %9s | %9s | %9s |\n", "benchmark", "idle", "idle anon", "peak", "growth", "base idle", "base peak", "base grow")
		printf("|%s|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------------", "-----------", "-----------", "-----------", "-----------", "-----------", "-----------", "-----------")
		for (i = 1; i <= nm; i++) print mem[i]
	}
	if (nt > 0) {
		print ""
		print "Finished turns, closed-loop callers with ?wait= (dialect/agent/callers; zero = a model that answers at once)"
		print ""
		printf("| %-30s | %9s | %9s | %9s | %9s |\n", "benchmark", "turns/s", "p50 ms", "p99 ms", "peak MB")
		printf("|%s|%s|%s|%s|%s|\n", "--------------------------------", "-----------", "-----------", "-----------", "-----------")
		for (i = 1; i <= nt; i++) print turns[i]
	}
	if (tokens != "") { print ""; print tokens }
}' "$OUT" | tee -a "$OUT"
