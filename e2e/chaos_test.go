package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/chaos"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// productionConfig is the shipped configuration with the persistent queue.
var productionConfig = filepath.Join("..", "testdata", "production.yaml")

// prodCollector is a collector running testdata/production.yaml (and
// overlays) on free loopback ports and its own queue directory, which
// survives restarts.
type prodCollector struct {
	t       *testing.T
	configs []string
	env     []string
	proc    *testbed.Collector

	OTLPHTTP, MetricsURL, HealthURL string
	Ports                           map[string]int
}

// newProdCollector prepares the environment of production.yaml: endpoint,
// key, queue directory, ports; extra adds variables (an overlay's ports).
// Start it with start; it is stopped when the test ends.
func newProdCollector(t *testing.T, endpoint, apiKey string, overlays []string, extra map[string]string) *prodCollector {
	t.Helper()
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make test`, which builds the collector first", testbed.CollectorBinEnv)
	}
	p := &prodCollector{t: t, configs: append([]string{productionConfig}, overlays...), Ports: map[string]int{}}
	for _, name := range []string{"otlp_http", "otlp_grpc", "health", "metrics"} {
		port, err := testbed.FreePort()
		require.NoError(t, err)
		p.Ports[name] = port
	}
	addr := func(name string) string { return "127.0.0.1:" + strconv.Itoa(p.Ports[name]) }
	p.env = []string{
		"PRECOGX_ENDPOINT=" + endpoint,
		"PRECOGX_API_KEY=" + apiKey,
		"PRECOGX_QUEUE_DIR=" + filepath.Join(t.TempDir(), "queue"),
		"OTLP_HTTP_ENDPOINT=" + addr("otlp_http"),
		"OTLP_GRPC_ENDPOINT=" + addr("otlp_grpc"),
		"HEALTH_ENDPOINT=" + addr("health"),
		"METRICS_PORT=" + strconv.Itoa(p.Ports["metrics"]),
	}
	for k, v := range extra {
		p.env = append(p.env, k+"="+v)
	}
	p.OTLPHTTP = "http://" + addr("otlp_http")
	p.MetricsURL = "http://" + addr("metrics") + "/metrics"
	p.HealthURL = "http://" + addr("health") + "/"
	p.configs[0] = productionConfig
	t.Cleanup(func() {
		if p.proc == nil {
			return
		}
		if err := p.proc.Stop(30 * time.Second); err != nil {
			t.Errorf("stopping collector: %v", err)
		}
		if t.Failed() {
			t.Logf("collector log:\n%s", p.proc.Log())
		}
	})
	return p
}

// start starts the collector (again) on the same ports and queue.
func (p *prodCollector) start() {
	p.t.Helper()
	require.Nil(p.t, p.proc, "already running")
	proc, err := testbed.StartCollectorConfigs(os.Getenv(testbed.CollectorBinEnv), p.configs, p.env)
	require.NoError(p.t, err)
	p.proc = proc
	require.NoError(p.t, proc.WaitHTTP(p.HealthURL, 60*time.Second))
}

// kill ends the collector with SIGKILL, as a crash would.
func (p *prodCollector) kill() {
	p.t.Helper()
	require.NotNil(p.t, p.proc, "not running")
	p.proc.Kill()
	p.proc = nil
}

func (p *prodCollector) metrics() testbed.Metrics {
	p.t.Helper()
	m, err := testbed.ScrapeMetrics(context.Background(), p.MetricsURL)
	require.NoError(p.t, err)
	return m
}

// TestPersistentQueueSurvivesSIGKILL: interactions queued while PrecogX is
// down survive a SIGKILL of the collector and arrive after the restart on
// the same queue directory, each once, with the interaction_id and agent
// grouping they had.
func TestPersistentQueueSurvivesSIGKILL(t *testing.T) {
	server, url := startPrecogx(t, localserver.Config{Faults: localserver.Faults{Outage: localserver.OutageClose}})
	col := newProdCollector(t, url, localserver.DefaultAPIKey, nil, nil)
	col.start()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := agentsim.Run(ctx, agentsim.Config{Endpoint: col.OTLPHTTP, Agents: len(agentsim.AllConventions()), Traces: 6, Seed: 3}, agentsim.Options{})
	require.NoError(t, err)
	_, spans, _ := rep.Totals()
	m := col.metrics()
	require.Equal(t, float64(spans), m.Sum("otelcol_receiver_accepted_spans"), "the receiver acknowledged every span")
	eventually(t, 30*time.Second, func() bool {
		return col.metrics().Sum("otelcol_exporter_precogx_requests", `status_class="network"`) > 0
	}, "the exporter never tried PrecogX")
	require.Positive(t, col.metrics().Sum("otelcol_exporter_queue_size", `exporter="precogx"`), "nothing queued")

	col.kill()
	require.Zero(t, server.Stats().Totals.Received, "PrecogX received data during the outage")
	require.NoError(t, server.SetFaults(localserver.Faults{}))
	col.start()

	eventually(t, 60*time.Second, func() bool { return server.Stats().Totals.Accepted >= int64(len(rep.Expected)) },
		"after the restart PrecogX has %d of %d interactions", server.Stats().Totals.Accepted, len(rep.Expected))
	time.Sleep(time.Second)

	got := map[string]localserver.Received{}
	for _, r := range server.Interactions() {
		id := r.Interaction.Metadata.InteractionID
		assert.NotContains(t, got, id, "interaction %s arrived twice", id)
		got[id] = r
	}
	require.Len(t, got, len(rep.Expected))
	for _, e := range rep.Expected {
		id := e.TraceID + "-" + e.SpanID
		r, ok := got[id]
		if !assert.True(t, ok, "missing interaction %s", id) {
			continue
		}
		assert.Equal(t, e.AgentID, r.AgentID, "agent of %s", id)
		assert.Equal(t, e.TraceID, r.Interaction.Metadata.TraceID)
		assert.Equal(t, e.SpanID, r.Interaction.Metadata.SpanID)
		assert.Equal(t, e.Prompt, r.Interaction.Prompt, id)
		assert.Equal(t, e.Response, r.Interaction.Response, id)
	}
	assert.Zero(t, server.Stats().Totals.Duplicates)
}

// TestChaosShort is the shortened `make chaos`: a couple of thousand
// interactions through one 5xx burst, one 429 storm and a 10-second outage
// with a SIGKILL in it. Nothing accepted is lost, duplicates stay under 1%,
// and every figure of the table adds up.
func TestChaosShort(t *testing.T) {
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make test`, which builds the collector first", testbed.CollectorBinEnv)
	}
	var progress strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	res, err := chaos.Run(ctx, chaos.Config{
		CollectorBin: bin,
		Configs:      []string{productionConfig, filepath.Join("..", "testdata", "e2e-chaos.yaml")},
		WorkDir:      filepath.Join(t.TempDir(), "chaos"),
		Agents:       len(agentsim.AllConventions()),
		Interactions: 2000,
		Schedule:     chaos.ShortSchedule(),
		RestartAfter: time.Second,
		Drain:        90 * time.Second,
		Seed:         11,
		Progress:     &progress,
	})
	var table strings.Builder
	res.WriteTable(&table)
	t.Logf("progress:\n%s\ntable:\n%s", progress.String(), table.String())
	require.NoError(t, err)

	require.NoError(t, res.AgentError)
	assert.GreaterOrEqual(t, res.Tally.Expected, 2000)
	assert.Len(t, res.Tally.ByConvention, len(agentsim.AllConventions()), "every convention")
	assert.Zero(t, res.Lost(), "lost interactions, first: %v", firstOf(res.Tally.Lost))
	assert.Equal(t, res.Tally.Expected, res.Tally.Delivered)
	assert.Less(t, res.DuplicateRate(), 0.01, "duplicates")
	assert.Equal(t, res.ServerDuplicates, int64(res.Tally.Duplicates), "the server's duplicate count")
	// An agent span whose LLM child reached the exporter in another batch
	// cannot be folded into it and arrives as an interaction of its own:
	// rare, and never anything but a wrapper of an expected exchange.
	assert.Less(t, float64(len(res.Tally.Unexpected)), 0.01*float64(res.Tally.Expected), "unexpected interactions")
	for _, u := range res.Tally.Unexpected {
		assert.True(t, u.OfExpectedTrace && u.Kind != "llm", "unexpected interaction %+v", u)
	}
	assert.Equal(t, 1, res.Kills)

	_, spans, _ := totals(res.Agents)
	assert.GreaterOrEqual(t, res.ReceiverAccepted, float64(spans), "the receiver counted fewer spans than the agents had acknowledged")
	assert.Positive(t, res.ProcessorDropped["not_llm"], "the processor dropped no ordinary span")
	assert.Positive(t, res.PeakQueueSize, "nothing was ever queued")
	assert.Positive(t, res.PeakRSS)
	assert.Zero(t, res.SendFailed)
	for _, status := range []string{"429", "503", "dropped", "200"} {
		assert.Positive(t, res.RequestsByStatus[status], "no %s answer: %v", status, res.RequestsByStatus)
	}
}

func totals(agents []agentsim.AgentReport) (traces, spans, failed int) {
	return agentsim.Report{Agents: agents}.Totals()
}

func firstOf(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s (of %d)", ids[0], len(ids))
}
