package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/precogxai/precogx-otel/internal/loadbench"
)

// Targets of the issue.
const (
	targetConvertNS     = 5000 // ns per ≈1 KiB LLM span, JSON included
	targetConvertAllocs = 10
	targetPipelineRatio = 1.5
	targetCollectorRate = 10000
)

type report struct {
	options
	started, finished time.Time
	machine           string
	micro             micro
	benchstat, pprof  string
	workload          *loadbench.Workload
	pipelines         []loadbench.PipelineResult
	loads             []loadbench.LoadResult
	burst             *loadbench.LoadResult
}

// describeMachine names the CPU, the cores, the kernel and Go.
func describeMachine() string {
	model := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := "?"
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(data))
	}
	load := "?"
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	return fmt.Sprintf("%s, %d CPUs (GOMAXPROCS %d), Linux %s, %s %s/%s; load average at start %s",
		model, runtime.NumCPU(), runtime.GOMAXPROCS(0), kernel, runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Benchmarks")
	p("")
	p("Written by `%s` on %s (the pipeline and collector runs took %s, after the micro benchmarks). Machine: %s.",
		r.command, r.started.Format("2006-01-02 15:04 MST"), r.finished.Sub(r.started).Round(time.Second), r.machine)
	p("")
	p("%s", r.otherLoad())
	p("")
	r.targets(p)
	r.microTables(p)
	r.pipelineTable(p)
	r.loadTables(p)
	r.method(p)
	return b.String()
}

type printer func(format string, args ...any)

func (r *report) otherLoad() string {
	var sum, peak float64
	for _, l := range r.loads {
		pct := 100 * l.Others.Seconds() / l.Window.Seconds()
		sum += pct
		peak = max(peak, pct)
	}
	if len(r.loads) == 0 {
		return ""
	}
	avg := sum / float64(len(r.loads))
	verdict := "The machine was otherwise quiet during the collector runs"
	if peak >= 10 {
		verdict = "**Other load was present** during the collector runs (other processes of the machine, not this benchmark)"
	}
	return fmt.Sprintf("%s: other processes used %.0f%% of one core on average over the measured windows, %.0f%% at most. "+
		"The collector's own CPU time is read from /proc and does not include theirs, but they compete for the same cores.",
		verdict, avg, peak)
}

func yesNo(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func (r *report) targets(p printer) {
	p("## Targets")
	p("")
	p("| target | measured | |")
	p("|---|---|---|")
	const conv = "BenchmarkConvertEncode/1KiB/all"
	if ns, ok := r.micro.median(conv, "ns/span"); ok {
		cpu, _ := r.micro.median(conv, "cpu-ns/span")
		allocs, _ := r.micro.median(conv, "allocs/span")
		p("| Conversion of a ≈1 KiB LLM span, JSON included: ≤ %.0f µs and ≤ %d allocations | %.2f µs (%.2f µs of CPU), %.1f allocations (median over the runs; every convention in one batch) | %s |",
			targetConvertNS/1000.0, targetConvertAllocs, ns/1000, cpu/1000, allocs, yesNo(ns <= targetConvertNS && allocs <= targetConvertAllocs))
	}
	if a, b, ok := r.pipelinePair(); ok {
		ratio := a.ComponentSpansPerSecond() / b.ComponentSpansPerSecond()
		p("| In-process pipeline ≥ %.1fx the otlp_http path on the same spans | %.2fx (%.0f vs %.0f spans/s; sinks included: %.2fx) | %s |",
			targetPipelineRatio, ratio, a.ComponentSpansPerSecond(), b.ComponentSpansPerSecond(),
			a.SpansPerSecond()/b.SpansPerSecond(), yesNo(ratio >= targetPipelineRatio))
	}
	if a, b, ok := r.loadPair(targetCollectorRate); ok {
		cpu := a.CPUPercent() / b.CPUPercent()
		rss := float64(a.PeakRSS) / float64(b.PeakRSS)
		p("| Collector at 10k spans/s: CPU ≤ 1.0x the pass-through | %.2fx (%.1f%% vs %.1f%% of one core) | %s |", cpu, a.CPUPercent(), b.CPUPercent(), yesNo(cpu <= 1))
		p("| Collector at 10k spans/s: peak RSS ≤ 1.0x the pass-through | %.2fx (%s vs %s) | %s |", rss, mib(a.PeakRSS), mib(b.PeakRSS), yesNo(rss <= 1))
	}
	if r.burst != nil {
		bounded, detail := burstBounded(r.burst)
		p("| Memory bounded under a 10x burst (PrecogX slow, so the exporter's queue fills) | %s | %s |", detail, yesNo(bounded))
	}
	p("")
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// burstBounded judges the burst: the resident set must level off (its
// maximum over the last third of the burst within 10% of its maximum
// before).
func burstBounded(r *loadbench.LoadResult) (bool, string) {
	n := len(r.RSS)
	if n < 6 {
		return false, "too few RSS samples"
	}
	early := slices.Max(r.RSS[:2*n/3])
	late := slices.Max(r.RSS[2*n/3:])
	ok := float64(late) <= 1.1*float64(early)
	return ok, fmt.Sprintf("%d spans/s offered for %s: %.0f spans/s accepted, %d spans refused; RSS peak %s, max %s in the first two thirds and %s in the last third (levelled off: %s)",
		r.Rate, r.Window.Round(time.Second), r.AchievedRate(), r.Refused, mib(r.PeakRSS), mib(early), mib(late), map[bool]string{true: "yes", false: "no"}[ok])
}

func (r *report) pipelinePair() (a, b loadbench.PipelineResult, ok bool) {
	if len(r.pipelines) != 2 {
		return a, b, false
	}
	return r.pipelines[0], r.pipelines[1], true
}

func (r *report) loadPair(rate int) (a, b loadbench.LoadResult, ok bool) {
	var found int
	for _, l := range r.loads {
		if l.Rate != rate {
			continue
		}
		switch l.Pipeline {
		case "precogx":
			a, found = l, found|1
		case "passthrough":
			b, found = l, found|2
		}
	}
	return a, b, found == 3
}

func (r *report) microTables(p printer) {
	p("## 1. Micro benchmarks")
	p("")
	if r.micro == nil {
		p("Not run.")
		p("")
		return
	}
	p("The corpus (internal/benchcorpus) is one agent turn per convention (%s): a model call that asks for a tool, the tool's execution,",
		"OTel GenAI ≥ 1.37, OpenLLMetry, OpenInference, Vercel AI SDK, OTel GenAI 1.28 span events, Google ADK, MLflow")
	p("a second model call answering with its result, with their HTTP and database spans. Content (system prompt, user message, tool result,")
	p("answer) averages the named size per LLM span; the text has quotes, newlines, tabs, `<`, `&` and non-ASCII characters.")
	p("Figures are medians over the runs; ns are wall time, CPU ns the process's CPU time (garbage collection included); MB/s is content read.")
	p("")
	p("### Processor (per input span, GenAI and other spans)")
	p("")
	p("| content | ns/span | CPU ns/span | allocs/span | B/span | MB/s |")
	p("|---|---:|---:|---:|---:|---:|")
	for _, n := range r.micro.names("BenchmarkProcessCorpus/") {
		p("| %s | %s | %s | %s | %s | %s |", strings.TrimPrefix(n, "BenchmarkProcessCorpus/"),
			r.cell(n, "ns/span", 0), r.cell(n, "cpu-ns/span", 0), r.cell(n, "allocs/span", 2), r.cell(n, "B/span", 0), r.cell(n, "MB/s", 0))
	}
	p("")
	p("### Exporter: conversion and JSON encoding (per LLM span)")
	p("")
	p("Convert (genai) plus encoding and packing into request bodies, as the exporter does before sending.")
	p("")
	p("| content / convention | ns/span | CPU ns/span | allocs/span | B/span | MB/s | JSON B/span |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, n := range r.micro.names("BenchmarkConvertEncode/") {
		p("| %s | %s | %s | %s | %s | %s | %s |", strings.TrimPrefix(n, "BenchmarkConvertEncode/"),
			r.cell(n, "ns/span", 0), r.cell(n, "cpu-ns/span", 0), r.cell(n, "allocs/span", 2), r.cell(n, "B/span", 0),
			r.cell(n, "MB/s", 0), r.cell(n, "json-B/span", 0))
	}
	p("")
	p("### JSON encoding alone (per interaction)")
	p("")
	p("| content | ns/interaction | allocs/interaction | MB/s of JSON |")
	p("|---|---:|---:|---:|")
	for _, n := range r.micro.names("BenchmarkEncode/") {
		p("| %s | %s | %s | %s |", strings.TrimPrefix(n, "BenchmarkEncode/"), r.cell(n, "ns/span", 0), r.cell(n, "allocs/span", 2), r.cell(n, "MB/s", 0))
	}
	p("")
	if ns, ok := r.micro.median("BenchmarkClassify", "ns/op"); ok {
		allocs, _ := r.micro.median("BenchmarkClassify", "allocs/op")
		p("Classification of one span (rule R1, every convention and plain spans): %.0f ns, %.0f allocations.", ns, allocs)
		p("")
	}
	if r.pprof != "" {
		p("Where the time goes in the 1 KiB conversion and encoding (`go tool pprof -top`, CPU profile of BenchmarkConvertEncode/1KiB/all):")
		p("")
		p("```")
		p("%s", strings.TrimSpace(r.pprof))
		p("```")
		p("")
	}
	if r.benchstat != "" {
		p("<details><summary>benchstat of every run</summary>")
		p("")
		p("```")
		p("%s", strings.TrimSpace(r.benchstat))
		p("```")
		p("</details>")
		p("")
	}
}

func (r *report) cell(name, unit string, decimals int) string {
	v, ok := r.micro.median(name, unit)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.*f", decimals, v)
}

func (r *report) pipelineTable(p printer) {
	p("## 2. In-process pipeline")
	p("")
	w := r.workload
	p("The simulated agents' traffic (internal/agentsim: 10 agents, every convention and scenario): %d spans, %d of them LLM, tool or agent spans (%.0f%%), in %d export requests of one agent each.",
		w.Total, w.GenAI, 100*float64(w.GenAI)/float64(w.Total), len(w.Batches))
	p("Each path gets copies of the same requests, one at a time, synchronously (no sending queue, no retry), for %s inside the pipeline after a warm-up.", r.pipelineTime)
	p("The PrecogX-compatible server is internal/localserver (its detectors run on every interaction); the OTLP sink decompresses and decodes every request.")
	p("Both sinks run in the same process, so the table also shows the throughput without the time spent in their handlers.")
	p("")
	p("| path | spans/s, components | spans/s, sink included | delivered |")
	p("|---|---:|---:|---:|")
	for i, res := range r.pipelines {
		unit := "interactions"
		if i == 1 {
			unit = "spans"
		}
		p("| %s | %.0f | %.0f | %d %s |", res.Name, res.ComponentSpansPerSecond(), res.SpansPerSecond(), res.Delivered, unit)
	}
	if a, b, ok := r.pipelinePair(); ok {
		p("")
		p("Ratio precogx / otlp_http: **%.2fx** for the components, %.2fx with the sinks.",
			a.ComponentSpansPerSecond()/b.ComponentSpansPerSecond(), a.SpansPerSecond()/b.SpansPerSecond())
	}
	p("")
}

func (r *report) loadTables(p printer) {
	p("## 3. The built collector under load")
	p("")
	p("The same traffic, pre-encoded as OTLP/HTTP protobuf requests, is posted at a fixed span rate to (a) `testdata/bench-precogx.yaml`")
	p("(otlp receiver → precogx processor → precogx exporter → the local PrecogX server) and (b) `testdata/bench-passthrough.yaml`")
	p("(otlp receiver → otlp_http exporter → an OTLP sink), each run in a fresh collector process: %s of load, then a measured window of %s.", r.warmup, r.window)
	p("CPU is the collector process's user+system time over the window (/proc/<pid>/stat), in percent of one core; peak RSS is its VmHWM")
	p("(/proc/<pid>/status) at the end of the window. The load generator and both sinks run in the benchmark process and are not counted.")
	p("")
	p("| spans/s offered | pipeline | accepted spans/s | refused spans | CPU %% of one core | peak RSS | generator and sinks CPU %% | other processes CPU %% |")
	p("|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, l := range r.loads {
		p("| %d | %s | %.0f | %d | %.1f | %s | %.1f | %.1f |", l.Rate, l.Pipeline, l.AchievedRate(), l.Refused, l.CPUPercent(),
			mib(l.PeakRSS), 100*l.Generator.Seconds()/l.Window.Seconds(), 100*l.Others.Seconds()/l.Window.Seconds())
	}
	p("")
	p("| spans/s | CPU precogx / pass-through | peak RSS precogx / pass-through |")
	p("|---:|---:|---:|")
	for _, rate := range r.rates {
		if a, b, ok := r.loadPair(rate); ok {
			p("| %d | %.2fx | %.2fx |", rate, a.CPUPercent()/b.CPUPercent(), float64(a.PeakRSS)/float64(b.PeakRSS))
		}
	}
	p("")
	if r.burst != nil {
		b := r.burst
		p("### Burst")
		p("")
		_, detail := burstBounded(b)
		p("The precogx pipeline, %d concurrent senders, while the local PrecogX server answers every request after %s: the exporter",
			4*r.senders, r.burstLatency)
		p("falls behind, its sending queue fills and the receiver refuses what does not fit. %s. CPU %.0f%% of one core.", detail, b.CPUPercent())
		p("(The generator, the sinks and the collector share the machine's cores, so the collector gets what they leave.)")
		var samples []string
		for _, s := range b.RSS {
			samples = append(samples, fmt.Sprintf("%.0f", float64(s)/(1<<20)))
		}
		p("RSS every half second (MiB): %s.", strings.Join(samples, " "))
		p("")
	}
}

func (r *report) method(p printer) {
	p("## How to reproduce")
	p("")
	p("`make bench` on a fresh clone: installs the pinned benchstat into ./bin, builds the collector, runs the micro benchmarks")
	p("(`go test -bench` with `-benchmem`, several counts, summarised by benchstat), then `go run ./cmd/precogx-bench`, which runs parts 2 and 3")
	p("and writes this file. Everything listens on 127.0.0.1 on free ports; each collector is stopped by its PID.")
}
