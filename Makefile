# precogx-otel: the PrecogX processor and exporter for the OpenTelemetry Collector.
# `make run` shows the product end to end; `make test` runs every test.

OCB_VERSION := v0.165.0
BIN         := $(CURDIR)/bin
OCB         := $(BIN)/builder
COLLECTOR   := $(CURDIR)/_build/otelcol-precogx
GO          ?= go
# Components whose metadata.yaml mdatagen turns into internal/metadata.
COMPONENTS  := processor/precogxprocessor exporter/precogxexporter

.PHONY: all build run test lint generate bench clean

all: lint test

# The pinned OpenTelemetry Collector Builder, installed with `go install`.
$(OCB):
	GOBIN=$(BIN) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

## build: the otelcol-precogx collector into _build/ (ocb; a warm rebuild takes seconds)
build: $(OCB)
	$(OCB) --config builder-config.yaml

## run: the whole product on this machine: local PrecogX stand-in, collector, simulated agents
run: build
	$(GO) run ./cmd/precogx-demo --collector $(COLLECTOR) --config testdata/demo.yaml

## test: every test with the race detector, the end-to-end tests through the built collector included
test: build
	PRECOGX_COLLECTOR_BIN=$(COLLECTOR) $(GO) test -race -count=1 -timeout 20m ./...

## lint: gofmt and go vet
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## generate: regenerate mdatagen code from each component's metadata.yaml
generate:
	@for c in $(COMPONENTS); do (cd $$c && $(GO) tool mdatagen metadata.yaml) || exit 1; done

## bench: micro benchmarks of the processor, the conversion and the exporter's send path
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./internal/genai/ ./processor/precogxprocessor/ ./exporter/precogxexporter/

clean:
	rm -rf _build _out
