#!/usr/bin/env bash
# make fuzz: run every native Go fuzz target for a short time each.
#
#   FUZZTIME=10s   per target (go test -fuzztime)
#   FUZZ=Pattern   only the targets whose "package Name" line matches (grep -E)
#
# The seed corpora (f.Add and testdata/fuzz/<Name>/) run as ordinary tests
# in `make test`. An input that fails is saved under testdata/fuzz/<Name>/
# of its package: fix the bug, and commit the file as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}

# Every parser of outside input, as "package Target".
TARGETS="
./agent/local FuzzGenerate
./agent/price FuzzPriceFile
./conversation FuzzCursor
./money FuzzParse
./negotiation FuzzDecode
./negotiation FuzzVerify
./peers FuzzAgentCard
./peers FuzzPinnable
./signing/verify FuzzCompact
./signing/verify FuzzDetached
./signing/verify FuzzParseJWKS
./signing/verify FuzzWebhookHeaders
./strictjson FuzzCheck
./webhook FuzzAddress
./webhook FuzzCheckURL
./workspace FuzzDecodeCursor
./workspace/email FuzzMessage
./workspace/files FuzzCursor
./workspace/files FuzzUpload
"

# A target added to the code but not to the list above fails the run.
found=$(grep -rHo --include='*_fuzz_test.go' '^func Fuzz[A-Za-z0-9_]*' . |
	sed -E 's#^(.*)/[^/]+_fuzz_test\.go:func (Fuzz.*)#\1 \2#' | sort)
listed=$(echo "$TARGETS" | sed '/^$/d' | sort)
if [ "$found" != "$listed" ]; then
	echo "scripts/fuzz.sh: the target list differs from the Fuzz functions in the code:" >&2
	diff <(echo "$listed") <(echo "$found") >&2 || true
	exit 1
fi

echo "$listed" | { grep -E "${FUZZ:-.}" || true; } | while read -r pkg name; do
	echo "== $pkg $name ($FUZZTIME)"
	"$GO" test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
done
