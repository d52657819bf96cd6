package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// gatewayHeader is the header each gateway of testdata/scaleout-gateway.yaml
// sends its GATEWAY_NAME in.
const gatewayHeader = "X-Gateway"

// scaleOutPrecogx runs the local PrecogX stand-in, booking every request by
// the gateway that sent it.
func scaleOutPrecogx(t *testing.T, cfg localserver.Config) (*localserver.Server, *localserver.Origins, string) {
	t.Helper()
	server, err := localserver.New(cfg)
	require.NoError(t, err)
	origins := localserver.NewOrigins(server, gatewayHeader)
	ts := httptest.NewServer(origins)
	t.Cleanup(func() {
		_ = server.Close() // first: it wakes held requests, which ts.Close would wait for
		ts.Close()
	})
	return server, origins, ts.URL
}

// gateway is one collector of the gateway tier. Its OTLP/gRPC port and
// storage directory stay the same across restarts.
type gateway struct {
	name string
	addr string // host:port the agent tier routes to
	env  map[string]string
	*runningCollector
}

func startGateway(t *testing.T, name, precogxURL string) *gateway {
	t.Helper()
	port, err := testbed.FreePort()
	require.NoError(t, err)
	g := &gateway{
		name: name,
		addr: "127.0.0.1:" + strconv.Itoa(port),
		env: map[string]string{
			"OTLP_GRPC_PORT":   strconv.Itoa(port),
			"GATEWAY_NAME":     name,
			"STORAGE_DIR":      t.TempDir(),
			"PRECOGX_ENDPOINT": precogxURL,
			"PRECOGX_API_KEY":  localserver.DefaultAPIKey,
		},
	}
	g.start(t)
	return g
}

// start runs the gateway, again after a kill: same port, same storage.
func (g *gateway) start(t *testing.T) {
	t.Helper()
	g.runningCollector = startCollector(t, "scaleout-gateway.yaml", g.env)
}

// startAgentTier runs the agent-tier collector routing to gateways.
func startAgentTier(t *testing.T, gateways []*gateway) *runningCollector {
	t.Helper()
	addrs := make([]string, len(gateways))
	for i, g := range gateways {
		addrs[i] = g.addr
	}
	return startCollector(t, "scaleout-agent-tier.yaml", map[string]string{"GATEWAYS": "[" + strings.Join(addrs, ", ") + "]"})
}

// received reads what a gateway's OTLP receiver accepted.
func (g *gateway) received(t *testing.T) (spans, logRecords float64) {
	t.Helper()
	m, err := testbed.ScrapeMetrics(context.Background(), g.MetricsURL)
	require.NoError(t, err)
	return m.Sum("otelcol_receiver_accepted_spans"), m.Sum("otelcol_receiver_accepted_log_records")
}

// officialPair is what the official OpenTelemetry OpenAI instrumentation
// recorded (spans without content, content in log records), as service svc
// would send it: its own service.name and trace ids, so every copy is a
// distinct agent with distinct calls.
func officialPair(t *testing.T, svc string) (ptrace.Traces, plog.Logs) {
	t.Helper()
	rekey := func(id pcommon.TraceID) pcommon.TraceID {
		sum := sha256.Sum256(append([]byte(svc), id[:]...))
		return pcommon.TraceID(sum[:16])
	}
	td := fixtures.Recorded(t, fixtures.OTelOpenAI)
	for _, rs := range td.ResourceSpans().All() {
		rs.Resource().Attributes().PutStr("service.name", svc)
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				s.SetTraceID(rekey(s.TraceID()))
			}
		}
	}
	ld := fixtures.RecordedLogs(t, fixtures.OTelOpenAI)
	for _, rl := range ld.ResourceLogs().All() {
		rl.Resource().Attributes().PutStr("service.name", svc)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.SetTraceID(rekey(lr.TraceID()))
			}
		}
	}
	return td, ld
}

// contentBySpan is, per "traceID/spanID", every text of the log records of
// that span: a joined interaction's prompt must come from there.
func contentBySpan(ld plog.Logs) map[string]string {
	out := map[string]string{}
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				key := lr.TraceID().String() + "/" + lr.SpanID().String()
				out[key] += lr.Body().AsString() + fmt.Sprint(lr.Attributes().AsRaw())
			}
		}
	}
	return out
}

// TestScaleOutKeepsEachAgentOnOneGateway: several agents through one agent
// tier and two gateways. The official instrumentation's spans and log
// records of each agent reach the same gateway and join there; every
// simulated interaction arrives exactly once; each agent is served by one
// gateway; the agent the plan refuses is dropped on its gateway while the
// others flow.
func TestScaleOutKeepsEachAgentOnOneGateway(t *testing.T) {
	official := []string{"weather-bot-1", "weather-bot-2", "weather-bot-3", "weather-bot-4"}
	const simulated = 6
	server, origins, url := scaleOutPrecogx(t, localserver.Config{Keys: []localserver.KeyConfig{{
		Key: localserver.DefaultAPIKey, Name: "scaleout",
		// Every official agent and all simulated agents but one.
		Plan: localserver.Plan{Name: "custom", MaxAgents: len(official) + simulated - 1},
	}}})
	gateways := []*gateway{startGateway(t, "gw1", url), startGateway(t, "gw2", url)}
	agentTier := startAgentTier(t, gateways)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The official agents first, one at a time, so that each gateway's
	// receiver counts show where the spans and the log records of each went.
	want := map[string]string{} // "traceID/spanID" of every official LLM span -> its log content
	for _, svc := range official {
		td, ld := officialPair(t, svc)
		before := make([][2]float64, len(gateways))
		for i, g := range gateways {
			before[i][0], before[i][1] = g.received(t)
		}
		require.NoError(t, testbed.SendTraces(ctx, agentTier.OTLPHTTP, td))
		require.NoError(t, testbed.SendLogs(ctx, agentTier.OTLPHTTP, ld))
		spans, records := float64(td.SpanCount()), float64(ld.LogRecordCount())
		var gotSpans, gotRecords []string
		eventually(t, 30*time.Second, func() bool {
			gotSpans, gotRecords = nil, nil
			for i, g := range gateways {
				s, r := g.received(t)
				if s-before[i][0] == spans {
					gotSpans = append(gotSpans, g.name)
				}
				if r-before[i][1] == records {
					gotRecords = append(gotRecords, g.name)
				}
			}
			return len(gotSpans) == 1 && len(gotRecords) == 1
		}, "%s: no single gateway received its %v spans and %v log records", svc, spans, records)
		assert.Equal(t, gotSpans, gotRecords, "%s: spans and log records on different gateways", svc)
		t.Logf("%s: spans and log records on %s", svc, gotSpans[0])
		for key, content := range contentBySpan(ld) {
			want[key] = content
		}
	}
	var accepted int64
	eventually(t, 60*time.Second, func() bool {
		accepted = server.Stats().Totals.Accepted
		return accepted >= int64(len(want))
	}, "PrecogX received %s of the %d official interactions", latest[int64]{&accepted}, len(want))

	// Then the simulated agents, all at once: the plan refuses the last new one.
	report, err := agentsim.Run(ctx, agentsim.Config{Endpoint: agentTier.OTLPHTTP, Agents: simulated, Traces: 4, Seed: 11}, agentsim.Options{})
	require.NoError(t, err)
	expected := byAgent(report.Expected)
	total := len(want) + len(report.Expected)
	metrics := make([]testbed.Metrics, len(gateways))
	eventually(t, 60*time.Second, func() bool {
		var done float64
		for i, g := range gateways {
			metrics[i], _ = testbed.ScrapeMetrics(ctx, g.MetricsURL)
			done += metrics[i].Sum("otelcol_exporter_precogx_interactions_sent") + metrics[i].Sum("otelcol_exporter_precogx_interactions_dropped")
		}
		return done >= float64(total)
	}, "the gateways did not account for %d interactions", total)
	time.Sleep(time.Second) // anything extra would arrive with the last batch

	// Exactly once, with the official instrumentation's content joined in.
	got := map[string]localserver.Received{}
	for _, r := range server.Interactions() {
		key := r.Interaction.Metadata.TraceID + "/" + r.Interaction.Metadata.SpanID
		_, dup := got[key]
		assert.False(t, dup, "interaction %s arrived twice", key)
		got[key] = r
	}
	for key, content := range want {
		r, ok := got[key]
		if assert.True(t, ok, "official interaction %s missing", key) {
			assert.NotEmpty(t, r.Interaction.Prompt, "official interaction %s has no prompt: its log records did not join", key)
			assert.Contains(t, content, r.Interaction.Prompt, "official interaction %s: prompt not from its log records", key)
		}
	}
	stats := server.Stats()
	admitted := map[string]bool{}
	for _, id := range stats.AdmittedAgents["scaleout"] {
		admitted[id] = true
	}
	var refused []string
	for agent, exp := range expected {
		if !admitted[agent] {
			refused = append(refused, agent)
			continue
		}
		for _, e := range exp {
			_, ok := got[e.TraceID+"/"+e.SpanID]
			assert.True(t, ok, "%s interaction %s/%s missing", agent, e.TraceID, e.SpanID)
		}
	}
	refusedAgent := refusedOne(t, refused)
	expectedIDs := map[string]bool{}
	for key := range want {
		expectedIDs[key] = true
	}
	for _, e := range report.Expected {
		if e.AgentID != refusedAgent {
			expectedIDs[e.TraceID+"/"+e.SpanID] = true
		}
	}
	checkExtras(t, server.Interactions(), expectedIDs)
	assert.Zero(t, stats.Totals.Duplicates)

	// One gateway per agent, and the refused agent dropped on its own.
	servedBy := servingGateways(origins.Snapshot())
	for _, agent := range append(slices.Clone(official), agentIDs(report)...) {
		assert.Len(t, servedBy[agent], 1, "agent %s served by %v", agent, servedBy[agent])
	}
	for i, g := range gateways {
		dropped := metrics[i].Sum("otelcol_exporter_precogx_interactions_dropped", `reason="agent_limit"`)
		if slices.Contains(servedBy[refusedAgent], g.name) {
			assert.Equal(t, float64(len(expected[refusedAgent])), dropped, "%s dropped for the plan limit", g.name)
			assert.Equal(t, float64(len(expected[refusedAgent])),
				metrics[i].Sum("otelcol_exporter_precogx_agent_limit_dropped", fmt.Sprintf("agent_id=%q", refusedAgent)))
		} else {
			assert.Zero(t, dropped, "%s does not serve the refused agent %s", g.name, refusedAgent)
		}
	}
	for _, g := range gateways {
		var mine []string
		for a, gws := range servedBy {
			if slices.Contains(gws, g.name) {
				mine = append(mine, a)
			}
		}
		slices.Sort(mine)
		t.Logf("%s served %v", g.name, mine)
	}
}

// refusedOne checks that the plan refused exactly one simulated agent.
func refusedOne(t *testing.T, refused []string) string {
	t.Helper()
	require.Len(t, refused, 1, "the plan should refuse exactly one simulated agent")
	return refused[0]
}

// servingGateways lists, per agent, the gateways whose requests carried its
// interactions, whatever the answer.
func servingGateways(books map[string]localserver.OriginStats) map[string][]string {
	out := map[string][]string{}
	for gw, b := range books {
		for agent := range b.Agents {
			out[agent] = append(out[agent], gw)
		}
	}
	for _, gws := range out {
		slices.Sort(gws)
	}
	return out
}

func agentIDs(r agentsim.Report) []string {
	ids := make([]string, len(r.Agents))
	for i, a := range r.Agents {
		ids[i] = a.AgentID
	}
	return ids
}

// TestScaleOutGatewayKilledLosesNothing: PrecogX is down, so the gateways
// hold what the agents send. The busiest gateway is killed with SIGKILL;
// more is sent while it is dead; it is restarted on its storage and PrecogX
// comes back. Every interaction arrives: the dead gateway's persistent queue
// kept what it had accepted, the agent tier's queue what was routed to it
// while it was down. Duplicates (a batch sent again after the crash) are
// counted by interaction_id and reported.
func TestScaleOutGatewayKilledLosesNothing(t *testing.T) {
	server, origins, url := scaleOutPrecogx(t, localserver.Config{Faults: localserver.Faults{Outage: localserver.Outage503}})
	gateways := []*gateway{startGateway(t, "gw1", url), startGateway(t, "gw2", url)}
	agentTier := startAgentTier(t, gateways)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	send := func(seed int64) agentsim.Report {
		r, err := agentsim.Run(ctx, agentsim.Config{Endpoint: agentTier.OTLPHTTP, Agents: 5, Traces: 10, Seed: seed}, agentsim.Options{})
		require.NoError(t, err)
		return r
	}

	held := send(1)
	var victim *gateway
	eventually(t, 30*time.Second, func() bool {
		m, err := testbed.ScrapeMetrics(ctx, agentTier.MetricsURL)
		if err != nil {
			return false
		}
		var forwarded, most float64
		for _, g := range gateways {
			spans, _ := g.received(t)
			forwarded += spans
			if spans > most {
				victim, most = g, spans
			}
		}
		return forwarded == m.Sum("otelcol_receiver_accepted_spans")
	}, "the agent tier did not forward everything to the gateways")
	victim.Kill()
	killedAt := time.Now()
	queued := send(2)
	time.Sleep(2 * time.Second)
	victim.start(t)
	restartedAt := time.Now()
	require.NoError(t, server.SetFaults(localserver.Faults{}))

	want := append(held.Expected, queued.Expected...)
	var accepted int64
	eventually(t, 90*time.Second, func() bool {
		accepted = server.Stats().Totals.Accepted
		return accepted >= int64(len(want))
	}, "PrecogX has %s of %d interactions", latest[int64]{&accepted}, len(want))
	recovered := time.Since(restartedAt)
	time.Sleep(time.Second)

	got := map[string]bool{}
	for _, r := range server.Interactions() {
		got[r.Interaction.Metadata.TraceID+"/"+r.Interaction.Metadata.SpanID] = true
	}
	for _, e := range want {
		assert.True(t, got[e.TraceID+"/"+e.SpanID], "lost: %s interaction %s/%s", e.AgentID, e.TraceID, e.SpanID)
	}
	st := server.Stats().Totals
	wantIDs := map[string]bool{}
	for _, e := range want {
		wantIDs[e.TraceID+"/"+e.SpanID] = true
	}
	checkExtras(t, server.Interactions(), wantIDs)
	assert.Less(t, float64(st.Duplicates), 0.05*float64(len(want)), "duplicates")

	victims := origins.Snapshot()[victim.name].Agents
	require.NotEmpty(t, victims, "%s served no agent", victim.name)
	fromDisk, fromAgentTier := 0, 0
	for _, e := range held.Expected {
		if _, ok := victims[e.AgentID]; ok {
			fromDisk++
		}
	}
	for _, e := range queued.Expected {
		if _, ok := victims[e.AgentID]; ok {
			fromAgentTier++
		}
	}
	t.Logf("%s killed (SIGKILL) and restarted %s later on its storage; %d interactions sent, %d delivered, %d lost, %d duplicates; "+
		"its persistent queue kept %d, the agent tier's queue %d; all delivered %s after the restart",
		victim.name, restartedAt.Sub(killedAt).Round(100*time.Millisecond), len(want), st.Accepted, len(want)-len(got), st.Duplicates,
		fromDisk, fromAgentTier, recovered.Round(100*time.Millisecond))
}

// latest prints what *p holds when the failure message is printed, which
// eventually does after its wait.
type latest[T any] struct{ p *T }

func (l latest[T]) String() string { return fmt.Sprint(*l.p) }
