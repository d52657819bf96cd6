# precogx-otel: the PrecogX processor and exporter for the OpenTelemetry Collector.
# `make run` shows the product end to end; `make test` runs every test.

OCB_VERSION := v0.165.0
BIN         := $(CURDIR)/bin
OCB         := $(BIN)/builder
COLLECTOR   := $(CURDIR)/_build/otelcol-precogx
GO          ?= go
# Components whose metadata.yaml mdatagen turns into internal/metadata.
COMPONENTS  := processor/precogxprocessor exporter/precogxexporter

.PHONY: all build run chaos scale-demo test lint generate bench clean

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

## chaos: agents through the collector while PrecogX fails in every way and the collector is
## killed twice; prints one table (lost, duplicated, dropped by reason, peaks). ARGS=--short: under a minute.
chaos: build
	$(GO) run ./cmd/precogx-chaos --collector $(COLLECTOR) $(ARGS)

## scale-demo: an agent-tier collector routing by agent to three gateways, the local PrecogX stand-in,
## simulated agents; prints what each gateway served and delivered. ARGS=--kill-after=8s kills a gateway mid-run.
scale-demo: build
	$(GO) run ./cmd/precogx-scale-demo --collector $(COLLECTOR) --configs testdata $(ARGS)

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

BENCHSTAT_VERSION := v0.0.0-20260908200009-22c9c6c9d4da
BENCHSTAT         := $(BIN)/benchstat
BENCH_OUT         := _out/bench
# Micro benchmarks: processor, conversion + JSON encoding, encoding alone, classification.
BENCH_MICRO       := BenchmarkProcessCorpus|BenchmarkConvertEncode|BenchmarkEncode$$|BenchmarkClassify$$

# The pinned benchstat, installed with `go install`.
$(BENCHSTAT):
	GOBIN=$(BIN) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

## bench: micro benchmarks, the in-process pipeline against otlp_http, the built collector under load
## against an OTLP pass-through; writes BENCHMARKS.md (about 5 minutes with warm Go caches)
bench: build $(BENCHSTAT)
	mkdir -p $(BENCH_OUT)
	@echo "micro benchmarks (about a minute) -> $(BENCH_OUT)/micro.txt"
	$(GO) test -run '^$$' -bench '$(BENCH_MICRO)' -benchmem -count 6 -benchtime 300ms \
		./processor/precogxprocessor/ ./exporter/precogxexporter/ ./internal/genai/ > $(BENCH_OUT)/micro.txt \
		|| { cat $(BENCH_OUT)/micro.txt; exit 1; }
	$(BENCHSTAT) $(BENCH_OUT)/micro.txt > $(BENCH_OUT)/benchstat.txt
	$(GO) test -run '^$$' -bench 'BenchmarkConvertEncode/1KiB/all$$' -benchtime 3s -cpuprofile $(BENCH_OUT)/cpu.out \
		-o $(BENCH_OUT)/exporter.test ./exporter/precogxexporter/ > /dev/null
	$(GO) tool pprof -top -nodecount 20 $(BENCH_OUT)/exporter.test $(BENCH_OUT)/cpu.out > $(BENCH_OUT)/pprof.txt
	$(GO) run ./cmd/precogx-bench --collector $(COLLECTOR) --micro $(BENCH_OUT)/micro.txt \
		--benchstat $(BENCH_OUT)/benchstat.txt --pprof $(BENCH_OUT)/pprof.txt --out BENCHMARKS.md

clean:
	rm -rf _build _out
