# The README's two commands: `make run` and `make test`.
GO ?= go
BIN := bin/soisnode
FUZZTIME ?= 10s

.PHONY: run build test bench fuzz openapi fmt clean lint-openapi check-alerts scenario

run: build ## build and start `soisnode demo` (SQLite, local agent, sample data)
	./$(BIN) demo

build:
	$(GO) build -o $(BIN) ./cmd/soisnode

test: ## every test, with -race, on SQLite and PostgreSQL
	$(GO) vet ./...
	./scripts/promtool.sh check rules docs/alerts.yml
	$(GO) test -race -count=1 -timeout 20m ./...

bench: ## benchmarks next to their baselines, with peak memory (docs/benchmarks.md)
	GO=$(GO) ./scripts/bench.sh

scenario: ## run one scenario file (FILE=testbed/scenarios/…yaml, SCALE=small|full; docs/testbed.md)
	@test -n "$(FILE)" || { echo "usage: make scenario FILE=testbed/scenarios/2-webhook-caller.yaml [SCALE=full]"; exit 2; }
	$(GO) run ./testbed/cmd/testbed run -scale $(or $(SCALE),small) $(FILE)

fuzz: ## every fuzz target for FUZZTIME each (default 10s; FUZZ=regexp picks targets)
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZ='$(FUZZ)' ./scripts/fuzz.sh

openapi: ## regenerate openapi/openapi.yaml and the Go client generated from it (openapi/client)
	$(GO) run ./cmd/soisnode openapi > openapi/openapi.yaml
	$(GO) generate ./openapi/client/

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin data

lint-openapi: ## lint the OpenAPI document with the pinned Redocly (recommended-strict) and Spectral (spectral:oas); needs npm
	cd openapi/testdata/js && npm ci --no-audit --no-fund && \
	REDOCLY_TELEMETRY=off npx --no-install redocly lint ../../openapi.yaml --config redocly.yaml && \
	npx --no-install spectral lint ../../openapi.yaml --ruleset .spectral.yaml --fail-severity hint

check-alerts: ## check the example alerting rules (docs/alerts.yml) with promtool (from Debian's prometheus package)
	./scripts/promtool.sh check rules docs/alerts.yml
