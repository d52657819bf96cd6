// Command precogx-chaos is what `make chaos` runs: simulated agents send
// GenAI traces through the built collector (testdata/production.yaml with
// its persistent queue) into a local PrecogX stand-in that injects 5xx
// bursts, 429 storms, slow answers, dropped connections and a full outage,
// while the collector is killed with SIGKILL and restarted on the same
// queue. It prints one table: sent, accepted, delivered, lost, duplicated,
// dropped on purpose by reason, peak queue size and peak RSS, and exits 1
// when anything was lost or duplicates reach 1%.
//
// With --soak it runs a steady load instead, without faults, and prints
// the goroutines, RSS and heap of the collector over time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/precogxai/precogx-otel/internal/chaos"
)

const (
	// maxDuplicateRate is the target: duplicates below 1% of the interactions.
	maxDuplicateRate = 0.01
	// shortInteractions is what --short produces unless told otherwise.
	shortInteractions = 2000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "precogx-chaos:", err)
		}
		os.Exit(1)
	}
}

type options struct {
	cfg    chaos.Config
	short  bool
	warmUp time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	c := &o.cfg
	fs := flag.NewFlagSet("precogx-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	collector := fs.String("collector", "_build/otelcol-precogx", "the built collector binary")
	production := fs.String("config", "testdata/production.yaml", "the production configuration")
	overlay := fs.String("overlay", "testdata/e2e-chaos.yaml", "merged over --config: pprof, shorter timeout and back-off")
	fs.StringVar(&c.WorkDir, "work", "", "empty directory for the queue, the received JSONL and the collector logs (default: a new one under _out/)")
	fs.IntVar(&c.Agents, "agents", 5, "simulated agents; conventions go round-robin")
	fs.IntVar(&c.Interactions, "interactions", 20000, "least number of interactions the agents produce")
	fs.BoolVar(&o.short, "short", false, "the shortened schedule (one 5xx burst, one 429 storm, a 10s outage with one SIGKILL) and, unless --interactions is given, 2000 interactions")
	fs.DurationVar(&c.RestartAfter, "restart-after", 2*time.Second, "how long a killed collector stays down")
	fs.DurationVar(&c.Drain, "drain", 5*time.Minute, "longest wait for delivery once the agents stopped")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the agents' content and the server's random faults")
	fs.DurationVar(&c.Soak, "soak", 0, "run a steady soak this long instead of the chaos schedule, e.g. 30m")
	fs.Float64Var(&c.SoakRate, "soak-rate", 4, "soak: traces per second per agent")
	fs.DurationVar(&c.SoakSample, "soak-sample", time.Minute, "soak: interval between samples")
	fs.DurationVar(&o.warmUp, "soak-warmup", 5*time.Minute, "soak: growth is measured from the first sample after this")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	c.CollectorBin = *collector
	c.Configs = []string{*production, *overlay}
	c.Schedule = chaos.FullSchedule()
	if o.short {
		c.Schedule = chaos.ShortSchedule()
		given := false
		fs.Visit(func(f *flag.Flag) { given = given || f.Name == "interactions" })
		if !given {
			c.Interactions = shortInteractions
		}
	}
	if c.WorkDir == "" {
		c.WorkDir = filepath.Join("_out", "chaos-"+time.Now().UTC().Format("20060102-150405"))
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.cfg.CollectorBin); err != nil {
		return fmt.Errorf("collector binary: %w (build it with `make build`)", err)
	}
	o.cfg.Progress = stdout
	res, err := chaos.Run(ctx, o.cfg)
	if err != nil {
		return fmt.Errorf("%w (logs and queue in %s)", err, o.cfg.WorkDir)
	}
	fmt.Fprintln(stdout)
	res.WriteHeader(stdout)
	fmt.Fprintln(stdout)
	res.WriteTable(stdout)
	if o.cfg.Soak > 0 {
		fmt.Fprintln(stdout)
		chaos.WriteSoakTable(stdout, res.Soaked, o.warmUp)
	}
	fmt.Fprintf(stdout, "\nCollector logs, the queue and every received interaction (received.jsonl): %s\n", o.cfg.WorkDir)
	return verdict(res)
}

// verdict holds the run to its target.
func verdict(res chaos.Result) error {
	var errs []error
	if n := res.Lost(); n > 0 {
		errs = append(errs, fmt.Errorf("%d interactions lost (first: %s)", n, res.Tally.Lost[0]))
	}
	if rate := res.DuplicateRate(); rate >= maxDuplicateRate {
		errs = append(errs, fmt.Errorf("duplicates %.2f%% of the interactions, target below %.0f%%", 100*rate, 100*maxDuplicateRate))
	}
	if res.AgentError != nil {
		errs = append(errs, fmt.Errorf("the agents could not export everything: %w", res.AgentError))
	}
	return errors.Join(errs...)
}
