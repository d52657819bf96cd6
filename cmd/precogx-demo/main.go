// Command precogx-demo is what `make run` runs: the whole product on one
// machine. It starts a local PrecogX stand-in (unless PRECOGX_API_KEY points
// it at the real API), starts the built collector with testdata/demo.yaml,
// lets simulated agents send GenAI traces for a while, stops everything and
// prints what each agent sent, what PrecogX received and what the plan limit
// dropped.
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
	"strconv"
	"syscall"
	"time"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "precogx-demo:", err)
		os.Exit(1)
	}
}

type options struct {
	collector string
	config    string
	agents    int
	planLimit int
	duration  time.Duration
	rate      float64
	outDir    string
}

func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("precogx-demo", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.collector, "collector", "_build/otelcol-precogx", "the built collector binary")
	fs.StringVar(&o.config, "config", "testdata/demo.yaml", "the collector configuration")
	fs.IntVar(&o.agents, "agents", 5, "simulated agents, each its own service.name")
	fs.IntVar(&o.planLimit, "plan-limit", 4, "agents the local PrecogX plan admits (below --agents, so the limit bites)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long the agents send")
	fs.Float64Var(&o.rate, "rate", 2, "traces per second per agent")
	fs.StringVar(&o.outDir, "out", "_out", "where the JSONL of received interactions goes")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.agents < 1 || o.planLimit < 0 || o.duration <= 0 || o.rate <= 0 {
		return o, errors.New("--agents, --duration and --rate must be positive, --plan-limit not negative")
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

	// The PrecogX side: the real API when a key is given, else the stand-in.
	endpoint, apiKey := os.Getenv("PRECOGX_ENDPOINT"), os.Getenv("PRECOGX_API_KEY")
	var server *localserver.Server
	jsonl := ""
	if apiKey == "" {
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			return err
		}
		jsonl, _ = filepath.Abs(filepath.Join(o.outDir, "demo-interactions.jsonl"))
		server, err = localserver.New(localserver.Config{
			Keys:               []localserver.KeyConfig{{Key: localserver.DefaultAPIKey, Name: "demo", Plan: localserver.Plan{Name: "custom", MaxAgents: o.planLimit}}},
			JSONLPath:          jsonl,
			RetainInteractions: -1,
		})
		if err != nil {
			return err
		}
		addr, err := server.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer server.Close()
		endpoint, apiKey = "http://"+addr, localserver.DefaultAPIKey
		fmt.Fprintf(out, "▶ local PrecogX stand-in on %s (plan admits %d agents, key %s)\n", endpoint, o.planLimit, apiKey)
	} else {
		if endpoint == "" {
			endpoint = "https://api.precogx.ai"
		}
		fmt.Fprintf(out, "▶ sending to the PrecogX API at %s (key from PRECOGX_API_KEY)\n", endpoint)
	}

	ports, err := testbed.FreePorts(3)
	if err != nil {
		return err
	}
	otlpPort, healthPort, metricsPort := ports[0], ports[1], ports[2]
	col, err := testbed.StartCollector(o.collector, o.config, []string{
		"OTLP_HTTP_PORT=" + strconv.Itoa(otlpPort),
		"HEALTH_PORT=" + strconv.Itoa(healthPort),
		"METRICS_PORT=" + strconv.Itoa(metricsPort),
		"PRECOGX_ENDPOINT=" + endpoint,
		"PRECOGX_API_KEY=" + apiKey,
	})
	if err != nil {
		return err
	}
	defer col.Stop(15 * time.Second)
	if err := col.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", healthPort), 30*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(out, "▶ collector pid %d: OTLP/HTTP on 127.0.0.1:%d, metrics on 127.0.0.1:%d\n", col.PID(), otlpPort, metricsPort)

	fmt.Fprintf(out, "▶ %d simulated agents send GenAI traces for %s\n", o.agents, o.duration)
	expected := map[string]int{}
	report, err := agentsim.Run(ctx, agentsim.Config{
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d", otlpPort),
		Agents:   o.agents,
		Rate:     o.rate,
		Duration: o.duration,
		Seed:     1,
	}, agentsim.Options{
		ProgressInterval: 5 * time.Second,
		OnProgress: func(p agentsim.Progress) {
			fmt.Fprintf(out, "  %4.0fs  %5d traces  %6d spans sent%s\n", p.Elapsed.Seconds(), p.Traces, p.Spans, serverProgress(server))
		},
		OnExpected: func(e agentsim.Expected) { expected[e.AgentID]++ },
	})
	if err != nil {
		return fmt.Errorf("simulated agents: %w", err)
	}

	fmt.Fprintln(out, "▶ waiting for the collector to deliver what it holds")
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)
	metrics := waitDelivered(ctx, metricsURL, expected)

	if err := col.Stop(15 * time.Second); err != nil {
		fmt.Fprintf(out, "  collector stop: %v\n", err)
	}
	fmt.Fprintf(out, "▶ collector pid %d stopped\n\n", col.PID())

	printTable(out, report, expected, server, metrics)
	if jsonl != "" {
		fmt.Fprintf(out, "\nEvery interaction the stand-in accepted: %s\n", jsonl)
	}
	return nil
}

func serverProgress(s *localserver.Server) string {
	if s == nil {
		return ""
	}
	st := s.Stats()
	return fmt.Sprintf("  %6d interactions received", st.Totals.Accepted)
}

// waitDelivered polls the collector's metrics until every expected
// interaction is accounted for (sent or dropped) or the counts stop moving,
// at most 30 seconds, and returns the last scrape.
func waitDelivered(ctx context.Context, url string, expected map[string]int) testbed.Metrics {
	want := 0
	for _, n := range expected {
		want += n
	}
	deadline := time.Now().Add(30 * time.Second)
	var last testbed.Metrics
	prev, still := -1.0, 0
	for time.Now().Before(deadline) && ctx.Err() == nil {
		m, err := testbed.ScrapeMetrics(ctx, url)
		if err == nil {
			last = m
			done := m.Sum("otelcol_exporter_precogx_interactions_sent") + m.Sum("otelcol_exporter_precogx_interactions_dropped")
			if done >= float64(want) {
				break
			}
			if done == prev {
				still++
			} else {
				prev, still = done, 0
			}
			if still >= 10 { // nothing moved for 5 s
				break
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return last
}
