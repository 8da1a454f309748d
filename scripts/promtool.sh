#!/usr/bin/env bash
# promtool for `make check-alerts`: the one on PATH, else bin/promtool,
# else unpacked from Debian's prometheus package into bin/ (only the
# binary: installing the package would also start a server).
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v promtool >/dev/null; then
	exec promtool "$@"
fi
if [ ! -x bin/promtool ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download prometheus >/dev/null)
	dpkg -x "$tmp"/prometheus_*.deb "$tmp/x"
	mkdir -p bin
	install -m 0755 "$tmp/x/usr/bin/promtool" bin/promtool
fi
exec bin/promtool "$@"
