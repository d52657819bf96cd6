// Command precogx-scale-demo is what `make scale-demo` runs: a scale-out
// deployment on one machine. One agent-tier collector
// (testdata/scaleout-agent-tier.yaml) routes by agent to several gateways
// (testdata/scaleout-gateway.yaml), which send to a local PrecogX stand-in;
// simulated agents and replays of the official OpenTelemetry OpenAI
// instrumentation (spans plus log records) send for a while. It prints, per
// gateway, which agents it served and what it delivered, then the totals
// against what was sent. With --kill-after, the busiest gateway is killed
// with SIGKILL mid-run and restarted on its storage.
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

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "precogx-scale-demo:", err)
		os.Exit(1)
	}
}

type options struct {
	collector string
	configs   string
	recorded  string
	gateways  int
	agents    int
	official  int
	planLimit int
	duration  time.Duration
	rate      float64
	killAfter time.Duration
	down      time.Duration
	outDir    string
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("precogx-scale-demo", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.collector, "collector", "_build/otelcol-precogx", "the built collector binary")
	fs.StringVar(&o.configs, "configs", "testdata", "the directory of scaleout-agent-tier.yaml and scaleout-gateway.yaml")
	fs.StringVar(&o.recorded, "recorded", "testdata/recorded", "the directory of the official instrumentation's recording (otel-openai.*)")
	fs.IntVar(&o.gateways, "gateways", 3, "gateway collectors behind the agent tier")
	fs.IntVar(&o.agents, "agents", 6, "simulated agents, each its own service.name")
	fs.IntVar(&o.official, "official", 2, "agents replaying the official OpenAI instrumentation (spans + log records)")
	fs.IntVar(&o.planLimit, "plan-limit", 0, "agents the local PrecogX plan admits; 0 admits all")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "how long the agents send")
	fs.Float64Var(&o.rate, "rate", 2, "traces per second per simulated agent")
	fs.DurationVar(&o.killAfter, "kill-after", 0, "kill the busiest gateway with SIGKILL this long into the run; 0 kills none")
	fs.DurationVar(&o.down, "down", 3*time.Second, "how long a killed gateway stays down before it restarts on its storage")
	fs.StringVar(&o.outDir, "out", "_out", "where the JSONL of the interactions PrecogX accepted and of those the simulated agents expect go")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.gateways < 1 || o.agents < 0 || o.official < 0 || o.agents+o.official < 1:
		return o, errors.New("--gateways and --agents + --official must be at least 1")
	case o.planLimit < 0 || o.duration <= 0 || o.rate <= 0 || o.killAfter < 0 || o.down < 0:
		return o, errors.New("--duration and --rate must be positive, --plan-limit, --kill-after and --down not negative")
	case o.killAfter >= o.duration:
		return o, errors.New("--kill-after must fall within --duration")
	}
	return o, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.collector); err != nil {
		return fmt.Errorf("collector binary: %w (build it with `make build`)", err)
	}
	rec, err := loadRecording(o.recorded)
	if err != nil && o.official > 0 {
		return fmt.Errorf("official instrumentation recording: %w", err)
	}
	storage, err := os.MkdirTemp("", "precogx-scale-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(storage)

	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return err
	}
	server, err := startPrecogx(localserver.Config{
		Keys:               []localserver.KeyConfig{{Key: localserver.DefaultAPIKey, Name: "demo", Plan: localserver.Plan{Name: "custom", MaxAgents: o.planLimit}}},
		JSONLPath:          filepath.Join(o.outDir, "scale-demo-interactions.jsonl"),
		RetainInteractions: -1,
	})
	if err != nil {
		return err
	}
	defer server.close()
	plan := "every agent"
	if o.planLimit > 0 {
		plan = fmt.Sprintf("%d agents", o.planLimit)
	}
	fmt.Fprintf(out, "▶ local PrecogX stand-in on %s (plan admits %s)\n", server.url, plan)

	var gateways []*gateway
	defer func() {
		for _, g := range gateways {
			_ = g.col.Stop(stopGrace)
		}
	}()
	for i := range o.gateways {
		g, err := startGateway(o.collector, o.configs, storage, fmt.Sprintf("gw%d", i+1), server.url, localserver.DefaultAPIKey)
		if err != nil {
			return err
		}
		gateways = append(gateways, g)
		fmt.Fprintf(out, "▶ gateway %s pid %d: OTLP/gRPC on %s, persistent queue in %s\n", g.name, g.col.PID(), g.addr, g.env["STORAGE_DIR"])
	}
	ports, err := testbed.FreePorts(1)
	if err != nil {
		return err
	}
	agentTier, err := startAgentTier(o.collector, o.configs, ports[0], gateways)
	if err != nil {
		return err
	}
	defer agentTier.Stop(stopGrace)
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	fmt.Fprintf(out, "▶ agent tier pid %d: OTLP/HTTP on %s, load_balancing by service.name over %d gateways\n", agentTier.PID(), endpoint, len(gateways))

	sent, err := send(ctx, out, o, endpoint, rec, server, gateways)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "▶ waiting for the gateways to deliver what they hold")
	waitDelivered(ctx, server, gateways, sent.total())
	fig := gather(ctx, server, agentTier, gateways)

	// Stop the agent tier first: it flushes into the gateways, which flush
	// into PrecogX.
	_ = agentTier.Stop(stopGrace)
	for _, g := range gateways {
		_ = g.col.Stop(stopGrace)
	}
	fmt.Fprintln(out, "▶ collectors stopped")
	fmt.Fprintln(out)
	printReport(out, sent, fig)
	fmt.Fprintf(out, "\nEvery interaction PrecogX accepted: %s; what the simulated agents expect: %s\n",
		filepath.Join(o.outDir, "scale-demo-interactions.jsonl"), filepath.Join(o.outDir, "scale-demo-expected.jsonl"))
	return nil
}

// sent is what the agents sent: per agent, the interactions due and where
// they came from.
type sent struct {
	due    map[string]int
	source map[string]string
}

func (s sent) total() int {
	n := 0
	for _, v := range s.due {
		n += v
	}
	return n
}

// send runs the simulated agents and the official replays side by side for
// o.duration, killing and restarting a gateway on the way if asked.
func send(ctx context.Context, out io.Writer, o options, endpoint string, rec recording, server *precogx, gateways []*gateway) (sent, error) {
	s := sent{due: map[string]int{}, source: map[string]string{}}
	fmt.Fprintf(out, "▶ %d simulated agents and %d official-instrumentation agents send for %s\n", o.agents, o.official, o.duration)
	expected, err := os.Create(filepath.Join(o.outDir, "scale-demo-expected.jsonl"))
	if err != nil {
		return s, err
	}
	defer expected.Close()
	simDone := make(chan error, 1)
	var report agentsim.Report
	go func() {
		if o.agents == 0 {
			simDone <- nil
			return
		}
		var writeErr error
		run, err := agentsim.Run(ctx, agentsim.Config{Endpoint: endpoint, Agents: o.agents, Rate: o.rate, Duration: o.duration, Seed: 1},
			agentsim.Options{OnExpected: func(e agentsim.Expected) {
				s.due[e.AgentID]++
				if writeErr == nil {
					writeErr = agentsim.WriteJSONL(expected, []agentsim.Expected{e})
				}
			}})
		report = run
		simDone <- errors.Join(err, writeErr)
	}()
	officialAgents := make([]string, o.official)
	for i := range officialAgents {
		officialAgents[i] = fmt.Sprintf("weather-bot-%d", i+1)
	}
	replayDone := make(chan error, 1)
	var replayed map[string]int
	go func() {
		var err error
		if o.official > 0 {
			replayed, err = replayLoop(ctx, endpoint, rec, officialAgents, time.Second, o.duration)
		}
		replayDone <- err
	}()

	var killErr error
	if o.killAfter > 0 {
		killErr = killAndRestart(ctx, out, o, server, gateways)
	}
	simErr, replayErr := <-simDone, <-replayDone
	if err := errors.Join(killErr, simErr, replayErr); err != nil {
		return s, err
	}
	for _, a := range report.Agents {
		s.source[a.AgentID] = string(a.Convention)
	}
	for svc, n := range replayed {
		s.due[svc] += n
		s.source[svc] = "official (logs)"
	}
	return s, nil
}

// killAndRestart kills the gateway that delivered most so far, o.killAfter
// into the run, and restarts it on its storage o.down later.
func killAndRestart(ctx context.Context, out io.Writer, o options, server *precogx, gateways []*gateway) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.killAfter):
	}
	books := server.origins.Snapshot()
	victim, most := gateways[0], int64(-1)
	for _, g := range gateways {
		if n := deliveredBy(books[g.name]); n > most {
			victim, most = g, n
		}
	}
	pid := victim.col.PID()
	victim.kill(ctx)
	fmt.Fprintf(out, "  ✖ %s (pid %d) killed with SIGKILL after delivering %d interactions\n", victim.name, pid, most)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.down):
	}
	if err := victim.start(); err != nil {
		return err
	}
	fmt.Fprintf(out, "  ↻ %s restarted as pid %d on %s after %s down\n", victim.name, victim.col.PID(), victim.env["STORAGE_DIR"], o.down)
	return nil
}

// waitDelivered polls until every due interaction is delivered or dropped
// on purpose, or nothing moved for 10 seconds; at most 2 minutes.
func waitDelivered(ctx context.Context, server *precogx, gateways []*gateway, due int) {
	deadline := time.Now().Add(2 * time.Minute)
	prev, still := -1.0, 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		done := float64(server.Stats().Totals.Accepted)
		for _, g := range gateways {
			done += g.metrics(ctx).Sum("otelcol_exporter_precogx_interactions_dropped")
		}
		if done >= float64(due) {
			return
		}
		if done == prev {
			still++
		} else {
			prev, still = done, 0
		}
		if still >= 20 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}
