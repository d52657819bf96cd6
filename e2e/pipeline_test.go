package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// startPrecogx runs the local PrecogX stand-in on 127.0.0.1 for one test.
func startPrecogx(t *testing.T, cfg localserver.Config) (*localserver.Server, string) {
	t.Helper()
	s, err := localserver.New(cfg)
	require.NoError(t, err)
	addr, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, "http://" + addr
}

// startPipeline starts the stand-in with cfg and a collector running
// testdata/e2e-pipeline.yaml that sends to it with apiKey.
func startPipeline(t *testing.T, cfg localserver.Config, apiKey string) (*localserver.Server, *runningCollector) {
	server, url := startPrecogx(t, cfg)
	col := startCollector(t, "e2e-pipeline.yaml", map[string]string{"PRECOGX_ENDPOINT": url, "PRECOGX_API_KEY": apiKey})
	return server, col
}

// simulate runs the simulated agents against the collector and returns what
// they sent and the interactions PrecogX must receive.
func simulate(t *testing.T, col *runningCollector, agents, traces int) agentsim.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	report, err := agentsim.Run(ctx, agentsim.Config{Endpoint: col.OTLPHTTP, Agents: agents, Traces: traces, Seed: 7}, agentsim.Options{})
	require.NoError(t, err)
	return report
}

func byAgent(exp []agentsim.Expected) map[string][]agentsim.Expected {
	m := map[string][]agentsim.Expected{}
	for _, e := range exp {
		m[e.AgentID] = append(m[e.AgentID], e)
	}
	return m
}

// TestSimulatedAgentsArriveAsExpected: every convention's interactions reach
// PrecogX exactly once, with the prompt, response and tool calls the agents
// produced, and nothing else arrives.
func TestSimulatedAgentsArriveAsExpected(t *testing.T) {
	server, col := startPipeline(t, localserver.Config{}, localserver.DefaultAPIKey)
	report := simulate(t, col, len(agentsim.AllConventions()), 8)
	require.NotEmpty(t, report.Expected)

	eventually(t, 60*time.Second, func() bool { return server.Stats().Totals.Received >= int64(len(report.Expected)) },
		"PrecogX received %d of %d interactions", server.Stats().Totals.Received, len(report.Expected))
	time.Sleep(time.Second) // anything extra would arrive with the last batch

	got := map[string]localserver.Received{}
	for _, r := range server.Interactions() {
		id := r.Interaction.Metadata.TraceID + "/" + r.Interaction.Metadata.SpanID
		_, dup := got[id]
		assert.False(t, dup, "interaction %s arrived twice", id)
		got[id] = r
	}
	expectedIDs := map[string]bool{}
	for _, e := range report.Expected {
		expectedIDs[e.TraceID+"/"+e.SpanID] = true
	}
	checkExtras(t, server.Interactions(), expectedIDs)
	conventions := map[agentsim.Convention]int{}
	for _, e := range report.Expected {
		r, ok := got[e.TraceID+"/"+e.SpanID]
		if !assert.True(t, ok, "missing %s interaction %s/%s (%s)", e.Convention, e.TraceID, e.SpanID, e.Scenario) {
			continue
		}
		conventions[e.Convention]++
		in := r.Interaction
		where := fmt.Sprintf("%s %s span %s", e.Convention, e.Scenario, e.SpanID)
		assert.Equal(t, e.AgentID, in.AgentID, where)
		assert.Equal(t, e.Prompt, in.Prompt, where)
		assert.Equal(t, e.Response, in.Response, where)
		if assert.Len(t, in.ToolCalls, len(e.ToolCalls), where) {
			for i, tc := range e.ToolCalls {
				assert.Equal(t, tc.Name, in.ToolCalls[i].ToolName, where)
				assert.JSONEq(t, string(tc.Params), string(in.ToolCalls[i].Parameters), where)
				assert.Equal(t, tc.Result, in.ToolCalls[i].Result, where)
			}
		}
		if e.SessionID != "" {
			assert.Contains(t, []string{in.Metadata.SessionID, in.Metadata.ConversationID}, e.SessionID, where)
		}
	}
	assert.Len(t, conventions, len(agentsim.AllConventions()), "conventions delivered: %v", conventions)
	assert.Zero(t, server.Stats().Totals.Duplicates)
}

// TestPlanLimitDropsOnlyTheExtraAgents: with more agents than the plan
// admits, the refused agents are dropped and counted in the collector's
// metrics while the admitted ones lose nothing.
func TestPlanLimitDropsOnlyTheExtraAgents(t *testing.T) {
	const admitted = 3
	server, col := startPipeline(t, localserver.Config{Keys: []localserver.KeyConfig{
		{Key: "px_test", Plan: localserver.Plan{Name: "custom", MaxAgents: admitted}},
	}}, "px_test")
	report := simulate(t, col, 5, 6)
	want := byAgent(report.Expected)

	ctx := context.Background()
	var m testbed.Metrics
	eventually(t, 60*time.Second, func() bool {
		m, _ = testbed.ScrapeMetrics(ctx, col.MetricsURL)
		done := m.Sum("otelcol_exporter_precogx_interactions_sent") + m.Sum("otelcol_exporter_precogx_interactions_dropped")
		return done >= float64(len(report.Expected))
	}, "the exporter did not account for %d interactions", len(report.Expected))

	stats := server.Stats()
	var admittedAgents []string
	for _, ids := range stats.AdmittedAgents {
		admittedAgents = append(admittedAgents, ids...)
	}
	require.Len(t, admittedAgents, admitted)
	isAdmitted := map[string]bool{}
	for _, id := range admittedAgents {
		isAdmitted[id] = true
	}
	var refusedInteractions int
	for agent, exp := range want {
		got := stats.Agents[agent]
		if isAdmitted[agent] {
			assert.Equal(t, int64(len(exp)), got.Accepted, "admitted agent %s lost interactions", agent)
			assert.Zero(t, m.Sum("otelcol_exporter_precogx_agent_limit_dropped", fmt.Sprintf("agent_id=%q", agent)))
			continue
		}
		refusedInteractions += len(exp)
		assert.Zero(t, got.Accepted, "refused agent %s", agent)
		assert.Equal(t, float64(len(exp)), m.Sum("otelcol_exporter_precogx_agent_limit_dropped", fmt.Sprintf("agent_id=%q", agent)),
			"dropped interactions of %s in the per-agent gauge", agent)
	}
	assert.Equal(t, float64(refusedInteractions), m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="agent_limit"`))
	assert.Equal(t, 2.0, m.Sum("otelcol_exporter_precogx_agents_over_limit"))
	assert.Zero(t, stats.Totals.Duplicates)
}

// TestBackOffOn429And503: a 429 storm with Retry-After, then a 503 burst:
// everything arrives after the back-off, nothing twice.
func TestBackOffOn429And503(t *testing.T) {
	server, col := startPipeline(t, localserver.Config{}, localserver.DefaultAPIKey)
	require.NoError(t, server.SetFaults(localserver.Faults{Storm429: localserver.Window{Length: 2 * time.Second}, RetryAfter: time.Second}))
	first := simulate(t, col, 3, 4)
	eventually(t, 60*time.Second, func() bool { return server.Stats().Totals.Accepted >= int64(len(first.Expected)) },
		"after the 429 storm PrecogX has %d of %d", server.Stats().Totals.Accepted, len(first.Expected))

	require.NoError(t, server.SetFaults(localserver.Faults{Burst5xx: localserver.Window{Length: 2 * time.Second}}))
	second := simulate(t, col, 3, 4)
	total := int64(len(first.Expected) + len(second.Expected))
	eventually(t, 60*time.Second, func() bool { return server.Stats().Totals.Accepted >= total },
		"after the 503 burst PrecogX has %d of %d", server.Stats().Totals.Accepted, total)
	time.Sleep(time.Second)

	st := server.Stats().Totals
	assert.Equal(t, total, st.Accepted)
	assert.Zero(t, st.Duplicates, "interactions delivered twice")
	assert.Positive(t, st.RequestsByStatus["429"], "the storm answered no 429: %v", st.RequestsByStatus)
	assert.Positive(t, st.RequestsByStatus["503"], "the burst answered no 503: %v", st.RequestsByStatus)
}

// TestWrongAPIKey: the collector says clearly what is wrong, never prints the
// key, and stays up.
func TestWrongAPIKey(t *testing.T) {
	const wrongKey = "px_live_wrong_key_0123456789"
	server, col := startPipeline(t, localserver.Config{}, wrongKey)
	report := simulate(t, col, 2, 2)
	require.NotEmpty(t, report.Expected)

	eventually(t, 30*time.Second, func() bool { return strings.Contains(col.Log(), "401") },
		"no 401 in the collector log:\n%s", col.Log())
	assert.Contains(t, col.Log(), "Invalid API key", "the server's message")
	assert.NotContains(t, col.Log(), wrongKey)
	assert.Zero(t, server.Stats().Totals.Accepted)

	assert.False(t, col.Exited(), "the collector stopped")
	m, err := testbed.ScrapeMetrics(context.Background(), col.MetricsURL)
	require.NoError(t, err)
	assert.Positive(t, m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="unauthorized"`))
}
