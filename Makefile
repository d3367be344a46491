# hexnet — the two commands a new user runs are `make run` and `make test`.
# Everything they need is installed here; nothing is assumed installed by hand.

GO        ?= go
BIN       := $(CURDIR)/.bin
PROTOC_GEN_GO_VERSION := v1.36.12
STATICCHECK_VERSION   := v0.8.2
FIRMWARE_TARGETS := linux/arm linux/arm64 linux/mipsle linux/amd64
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
ARGS      ?=
LOCALNET  := solana/localnet

export PATH := $(BIN):$(PATH)

.PHONY: run test build lint proto bench firmware deps clean fuzz localnet-deps

## run: start the all-in-one devnet (embedded broker, SQLite store, simulated hotspots and devices, router)
run: deps localnet-deps
	@echo "building the devnet (the first build compiles SQLite and H3 and takes a minute or two)..."
	@$(GO) build -o $(BIN)/devnet ./cmd/devnet
	$(BIN)/devnet $(ARGS)

## test: the whole test suite (PostgreSQL and Mosquitto tests skip locally when the services are down; fail under CI=true)
test: deps localnet-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

## build: every binary into bin/
build: deps
	mkdir -p bin
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

## lint: gofmt, go vet, staticcheck
lint: deps $(BIN)/staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...

## proto: regenerate proto/hexnetpb from proto/*.proto (Debian protobuf-compiler, pinned protoc-gen-go)
proto: $(BIN)/protoc-gen-go
	@command -v protoc >/dev/null || (apt-get update -qq && apt-get install -y -qq protobuf-compiler)
	protoc -I proto --go_out=. --go_opt=module=github.com/hexnet/hexnet proto/*.proto

## bench: throughput benchmarks, each next to a baseline from the same run (BENCH lines)
bench: deps
	$(GO) run ./bench $(ARGS)

## firmware: cross-compile hotspotd (CGO off) for gateway hardware into dist/
firmware:
	@mkdir -p dist
	@for t in $(FIRMWARE_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; out=dist/hotspotd-$$os-$$arch; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch GOARM=7 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out ./cmd/hotspotd || exit 1; \
		echo "$$out $$(stat -c %s $$out) bytes"; \
	done

## fuzz: run each fuzz target for FUZZTIME (default 20s)
FUZZTIME ?= 20s
fuzz:
	@for spec in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for f in $$(grep -h '^func Fuzz' $$spec/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
			echo "== $$spec $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$spec || exit 1; \
		done; \
	done

deps:
	@command -v $(GO) >/dev/null || { echo "Go is required (https://go.dev/dl); this machine kind ships it at /usr/local/go"; exit 1; }
	@command -v gcc >/dev/null || (apt-get update -qq && apt-get install -y -qq gcc libc6-dev)
	@$(GO) mod download

## localnet-deps: npm ci for the local Solana runtime when its node_modules is missing or older than the lockfile
localnet-deps: $(LOCALNET)/node_modules/.package-lock.json

$(LOCALNET)/node_modules/.package-lock.json: $(LOCALNET)/package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --prefix $(LOCALNET) --no-audit --no-fund
	@touch $@

$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

clean:
	rm -rf bin dist
