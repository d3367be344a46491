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
WEB       := web

export PATH := $(BIN):$(PATH)

.PHONY: run test build lint proto bench firmware deps clean fuzz localnet-deps web chromium

## run: start the all-in-one devnet (embedded broker, SQLite store, simulated hotspots and devices, router)
run: deps localnet-deps web
	@echo "building the devnet (the first build compiles SQLite and H3 and takes a minute or two)..."
	@$(GO) build -o $(BIN)/devnet ./cmd/devnet
	$(BIN)/devnet $(ARGS)

## test: the whole test suite (PostgreSQL and Mosquitto tests skip locally when the services are down; fail under CI=true);
##   it builds the map page and installs Chromium for the browser test first
test: deps localnet-deps web chromium
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...

## build: every binary into bin/
build: deps web
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

## firmware: cross-compile hotspotd (CGO off) for gateway hardware into dist/, with dist/manifest.json signed
##   (dist/manifest.json.sig) by RELEASE_KEY=path/to/release.key, a Solana keypair file of mode 0600 kept off the
##   repository (create one with: go run ./firmware/cmd/release keygen --out FILE). Without RELEASE_KEY an ephemeral
##   development key dist/release-dev.key is generated and used: good for tests, never for hotspots in the field.
##   The version is FIRMWARE_VERSION: the exact vX.Y.Z tag of HEAD, else v0.0.0-dev.<commit count>+<commit>.
FIRMWARE_VERSION ?= $(shell git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null || echo "v0.0.0-dev.$$(git rev-list --count HEAD 2>/dev/null || echo 0)+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
RELEASE_KEY ?=
firmware:
	@mkdir -p dist $(BIN)
	@$(GO) build -o $(BIN)/release ./firmware/cmd/release
	@set -e; rm -f dist/manifest.json dist/manifest.json.sig; specs=""; \
	echo "hotspotd $(FIRMWARE_VERSION):"; \
	for t in $(FIRMWARE_TARGETS); do \
		os=$${t%/*}; arch=$${t#*/}; out=dist/hotspotd-$$os-$$arch; platform=$$t; \
		if [ "$$arch" = arm ]; then platform=$$t/v7; fi; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch GOARM=7 GOMIPS=softfloat $(GO) build -trimpath \
			-ldflags '-s -w -X main.version=$(FIRMWARE_VERSION)' -o $$out ./cmd/hotspotd; \
		printf '  %-26s %-14s %9d bytes\n' $$out $$platform $$(wc -c < $$out); \
		specs="$$specs $$platform=$$out"; \
	done; \
	$(BIN)/release manifest --version '$(FIRMWARE_VERSION)' --out dist/manifest.json $$specs; \
	key='$(RELEASE_KEY)'; \
	if [ -z "$$key" ]; then \
		key=dist/release-dev.key; \
		[ -f $$key ] || $(BIN)/release keygen --out $$key >/dev/null; \
		echo "WARNING: RELEASE_KEY not given: signing with the ephemeral DEVELOPMENT key $$key (git-ignored, never commit it)."; \
		echo "WARNING: hotspots must not trust this key; sign real releases with RELEASE_KEY=path/to/release.key."; \
	fi; \
	$(BIN)/release sign --key $$key dist/manifest.json; \
	cp firmware/install.sh firmware/hotspotd.service dist/; \
	echo "dist/ is a release: copy it to the gateway and run: sudo sh install.sh --mqtt tcp://BROKER:1883 --region EU868"

## release-key: create the release key that signs firmware manifests (RELEASE_KEY_OUT, default ~/.config/hexnet/release.key):
##   it prints the address hotspots are given as --update-key. Keep the file off the repository (*.key and dist/ are
##   git-ignored), back it up offline: whoever holds it can replace every hotspot's binary.
RELEASE_KEY_OUT ?= $(HOME)/.config/hexnet/release.key
.PHONY: release-key
release-key:
	@$(GO) run ./firmware/cmd/release keygen --out $(RELEASE_KEY_OUT)
	@echo "release key written to $(RELEASE_KEY_OUT); sign releases with: make firmware RELEASE_KEY=$(RELEASE_KEY_OUT)"

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

## web: the coverage map page, embedded by package web: npm ci in web/ from the lockfile when node_modules is missing
##   or older than it, then node web/build.mjs into web/dist when a source is newer than the build
web: $(WEB)/dist/index.html.gz

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --prefix $(WEB) --no-audit --no-fund
	@touch $@

$(WEB)/dist/index.html.gz: $(WEB)/node_modules/.package-lock.json $(WEB)/build.mjs $(wildcard $(WEB)/scripts/*.mjs) $(wildcard $(WEB)/src/*)
	node $(WEB)/build.mjs

## chromium: Debian's Chromium, which the browser test (cmd/devnet TestBrowserMap) drives
chromium:
	@[ -x /usr/bin/chromium ] || (apt-get update -qq && apt-get install -y -qq chromium)

$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

clean:
	rm -rf bin dist
