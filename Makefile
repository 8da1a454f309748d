# The README's two commands: `make run` and `make test`.
GO ?= go
BIN := bin/soisnode
FUZZTIME ?= 10s

.PHONY: run build test test-short bench fuzz openapi fmt vet check clean

run: build ## build and start `soisnode demo` (SQLite, local agent, sample data)
	./$(BIN) demo

build:
	$(GO) build -o $(BIN) ./cmd/soisnode

test: ## every test, with -race, on SQLite and PostgreSQL
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

bench: ## benchmarks next to their baselines, with peak memory (docs/benchmarks.md)
	GO=$(GO) ./scripts/bench.sh

fuzz: ## every fuzz target for FUZZTIME each (default 10s; FUZZ=regexp picks targets)
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZ='$(FUZZ)' ./scripts/fuzz.sh

openapi: ## regenerate openapi/openapi.yaml
	$(GO) run ./cmd/soisnode openapi > openapi/openapi.yaml

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin data

lint-openapi: ## lint the OpenAPI document with Redocly's recommended rules (needs npm)
	npx --yes @redocly/cli@latest lint openapi/openapi.yaml
