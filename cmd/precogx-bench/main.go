// Command precogx-bench is the second half of `make bench`: it runs the
// in-process pipeline comparison and the built collector under load (see
// internal/loadbench), reads the micro benchmark results the Makefile
// produced, and writes BENCHMARKS.md with every figure, the targets met or
// not, the machine and the command.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/precogxai/precogx-otel/internal/loadbench"
)

type options struct {
	collector      string
	microRaw       string
	benchstat      string
	pprof          string
	out            string
	command        string
	rates          []int
	warmup, window time.Duration
	pipelineTime   time.Duration
	burstRate      int
	burst          time.Duration
	burstLatency   time.Duration
	senders        int
}

func main() {
	var o options
	var rates string
	flag.StringVar(&o.collector, "collector", "_build/otelcol-precogx", "the built collector")
	flag.StringVar(&o.microRaw, "micro", "", "raw `go test -bench` output of the micro benchmarks")
	flag.StringVar(&o.benchstat, "benchstat", "", "benchstat summary of the same")
	flag.StringVar(&o.pprof, "pprof", "", "`go tool pprof -top` of a conversion benchmark's CPU profile")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	flag.StringVar(&o.command, "command", "make bench", "the command that produced the report, as shown in it")
	flag.StringVar(&rates, "rates", "5000,10000,20000", "offered loads, spans per second")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before each measured window (not measured)")
	flag.DurationVar(&o.window, "window", 30*time.Second, "measured window of each load run")
	flag.DurationVar(&o.pipelineTime, "pipeline", 5*time.Second, "time inside each in-process pipeline")
	flag.IntVar(&o.burstRate, "burst-rate", 100000, "offered load of the burst (10x the 10k target), spans per second")
	flag.DurationVar(&o.burst, "burst", 20*time.Second, "duration of the burst")
	flag.DurationVar(&o.burstLatency, "burst-latency", time.Second, "PrecogX's answer delay during the burst, so the exporter's queue fills")
	flag.IntVar(&o.senders, "senders", 8, "concurrent requests of the load generator")
	flag.Parse()
	for _, r := range strings.Split(rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n <= 0 {
			log.Fatalf("-rates: %q is not a positive number", r)
		}
		o.rates = append(o.rates, n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	rep := &report{options: o, started: time.Now().UTC(), machine: describeMachine()}
	if o.microRaw != "" {
		m, err := readMicro(o.microRaw)
		if err != nil {
			return err
		}
		rep.micro = m
	}
	for _, f := range []struct {
		path string
		dst  *string
	}{{o.benchstat, &rep.benchstat}, {o.pprof, &rep.pprof}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		*f.dst = string(b)
	}
	w, err := loadbench.NewWorkload(10, 200, 10, 1)
	if err != nil {
		return err
	}
	rep.workload = w

	log.Printf("in-process pipelines, %s each", o.pipelineTime)
	if rep.pipelines, err = loadbench.RunPipelines(ctx, w, o.pipelineTime); err != nil {
		return err
	}
	pipelines := []loadbench.Pipeline{
		{Name: "precogx", Config: "testdata/bench-precogx.yaml", PrecogX: true},
		{Name: "passthrough", Config: "testdata/bench-passthrough.yaml"},
	}
	for _, rate := range o.rates {
		for _, p := range pipelines {
			log.Printf("collector, %s pipeline, %d spans/s for %s", p.Name, rate, o.window)
			res, err := loadbench.RunLoad(ctx, o.collector, p, w, rate, o.warmup, o.window, o.senders)
			if err != nil {
				return fmt.Errorf("%s at %d spans/s: %w", p.Name, rate, err)
			}
			rep.loads = append(rep.loads, res)
		}
	}
	log.Printf("collector, precogx pipeline, burst of %d spans/s for %s with PrecogX answering after %s", o.burstRate, o.burst, o.burstLatency)
	slow := pipelines[0]
	slow.SinkLatency = o.burstLatency
	burst, err := loadbench.RunLoad(ctx, o.collector, slow, w, o.burstRate, o.warmup, o.burst, 4*o.senders)
	if err != nil {
		return fmt.Errorf("burst: %w", err)
	}
	rep.burst = &burst
	rep.finished = time.Now().UTC()
	if err := os.WriteFile(o.out, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", o.out)
	return nil
}
