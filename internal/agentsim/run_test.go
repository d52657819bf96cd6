package agentsim

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunCountsMatchReceiver(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	rep, err := Run(context.Background(), Config{
		Endpoint: rcv.URL, Agents: 6, Traces: 4, Seed: 2, Environment: "prod",
		Headers: map[string]string{"X-Api-Key": "test-key"},
	}, Options{})
	require.NoError(t, err)

	require.Len(t, rep.Agents, 6)
	assert.Equal(t, "agent-6", rep.Agents[5].AgentID)
	assert.Equal(t, OTelGenAI, rep.Agents[5].Convention, "round-robin wraps")
	received := rcv.spansByService()
	want := map[string]int{}
	for _, a := range rep.Agents {
		assert.Equal(t, 4, a.Traces, a.AgentID)
		assert.Zero(t, a.FailedSpans, a.AgentID)
		assert.Positive(t, a.Spans, a.AgentID)
		want[a.AgentID] = a.Spans
	}
	assert.Equal(t, want, received)

	for _, h := range rcv.allHeaders() {
		assert.Equal(t, "test-key", h.Get("X-Api-Key"))
	}

	// Every expectation names a span that arrived, with the agent's resource.
	arrived := map[string]string{} // trace/span -> service.name
	for _, td := range rcv.received() {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			res := rs.Resource().Attributes().AsRaw()
			assert.Equal(t, "prod", res["deployment.environment.name"])
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				spans := rs.ScopeSpans().At(j).Spans()
				for k := 0; k < spans.Len(); k++ {
					s := spans.At(k)
					arrived[s.TraceID().String()+"/"+s.SpanID().String()] = res["service.name"].(string)
				}
			}
		}
	}
	require.NotEmpty(t, rep.Expected)
	for _, e := range rep.Expected {
		assert.Equal(t, e.AgentID, arrived[e.TraceID+"/"+e.SpanID], "span of %+v", e)
	}
}

func TestRunReportsExportFailure(t *testing.T) {
	rcv := newReceiver(t, http.StatusBadRequest)
	rep, err := Run(context.Background(), Config{Endpoint: rcv.URL, Agents: 2, Traces: 2, Seed: 1}, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "400")
	_, spans, failed := rep.Totals()
	assert.Zero(t, spans)
	assert.Positive(t, failed)
	assert.Equal(t, 2, rep.Agents[0].Traces)
}

func TestRunUnreachableEndpointFails(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	url := rcv.URL
	rcv.Close() // nothing listens there any more
	_, err := Run(context.Background(), Config{Endpoint: url, Agents: 1, Traces: 1}, Options{})
	require.Error(t, err)
}

func TestRunStopsAfterDuration(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	start := time.Now()
	rep, err := Run(context.Background(), Config{Endpoint: rcv.URL, Agents: 2, Rate: 20, Duration: 300 * time.Millisecond, Seed: 4}, Options{})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	for _, a := range rep.Agents {
		// 20/s for 0.3 s is about 6 turns; the bounds allow for a slow machine.
		assert.GreaterOrEqual(t, a.Traces, 1, a.AgentID)
		assert.LessOrEqual(t, a.Traces, 8, a.AgentID)
		assert.Equal(t, a.Spans, rcv.spansByService()[a.AgentID], a.AgentID)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rep, err := Run(ctx, Config{Endpoint: rcv.URL, Agents: 1, Rate: 10, Traces: 1000}, Options{})
	require.NoError(t, err, "a cancelled run is a normal stop")
	assert.Less(t, rep.Agents[0].Traces, 1000)
	assert.Equal(t, rep.Agents[0].Spans, rcv.spansByService()[rep.Agents[0].AgentID], "the last spans were flushed")
}

func TestRunHooks(t *testing.T) {
	rcv := newReceiver(t, http.StatusOK)
	var mu sync.Mutex
	var streamed []Expected
	var progress []Progress
	rep, err := Run(context.Background(), Config{Endpoint: rcv.URL, Agents: 2, Rate: 40, Traces: 8, Seed: 6}, Options{
		OnExpected:       func(e Expected) { mu.Lock(); streamed = append(streamed, e); mu.Unlock() },
		OnProgress:       func(p Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() },
		ProgressInterval: 20 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Empty(t, rep.Expected, "the hook took them")
	_, gen := generate(t, Config{Agents: 2, Traces: 8, Seed: 6})
	assert.Len(t, streamed, len(gen.Expected))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, progress)
	for i := 1; i < len(progress); i++ {
		assert.GreaterOrEqual(t, progress[i].Traces, progress[i-1].Traces)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Endpoint: "http://127.0.0.1:4318", Agents: 1, Traces: 1}
	require.NoError(t, ok.Validate())
	for name, tc := range map[string]struct {
		mutate func(*Config)
		err    string
	}{
		"no agents":         {func(c *Config) { c.Agents = 0 }, "agents must be at least 1"},
		"negative traces":   {func(c *Config) { c.Traces = -1 }, "traces must not be negative"},
		"endless":           {func(c *Config) { c.Traces = 0 }, "set traces or duration"},
		"negative rate":     {func(c *Config) { c.Rate = -1 }, "rate must not be negative"},
		"negative duration": {func(c *Config) { c.Duration = -time.Second }, "duration must not be negative"},
		"bad convention":    {func(c *Config) { c.Conventions = []Convention{"langchain"} }, `unknown convention "langchain"`},
		"bad scenario":      {func(c *Config) { c.Scenarios = []Scenario{"jailbreak"} }, `unknown scenario "jailbreak"`},
		"bad scheme":        {func(c *Config) { c.Endpoint = "grpc://127.0.0.1:4317" }, "scheme must be http or https"},
		"no host":           {func(c *Config) { c.Endpoint = "http://" }, "missing host"},
	} {
		t.Run(name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			assert.ErrorContains(t, c.Validate(), tc.err)
		})
	}
}

func TestTracesURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4318":             "http://127.0.0.1:4318/v1/traces",
		"http://127.0.0.1:4318/":            "http://127.0.0.1:4318/v1/traces",
		"https://collector:443/custom/path": "https://collector:443/custom/path",
		"http://127.0.0.1:4318/v1/traces":   "http://127.0.0.1:4318/v1/traces",
	} {
		got, err := tracesURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

func TestParseLists(t *testing.T) {
	all, err := ParseConventions("all")
	require.NoError(t, err)
	assert.Equal(t, AllConventions(), all)
	two, err := ParseConventions(" openinference, vercel_ai ")
	require.NoError(t, err)
	assert.Equal(t, []Convention{OpenInference, VercelAI}, two)
	_, err = ParseConventions("otel_genai,nope")
	assert.ErrorContains(t, err, `unknown convention "nope"`)

	sc, err := ParseScenarios("pii,streaming")
	require.NoError(t, err)
	assert.Equal(t, []Scenario{ScenarioPII, ScenarioStreaming}, sc)
	_, err = ParseScenarios("qa,")
	assert.Error(t, err)
}

func TestNewAgentsNames(t *testing.T) {
	agents := NewAgents(7, []Convention{VercelAI, OTelGenAIEvents})
	names := []string{}
	for _, a := range agents {
		names = append(names, a.ID)
	}
	assert.Equal(t, []string{"support-bot", "sales-assistant", "invoice-processor", "research-agent", "travel-planner", "agent-6", "agent-7"}, names)
	assert.Equal(t, VercelAI, agents[2].Convention)
	assert.Equal(t, OTelGenAIEvents, agents[3].Convention)
	assert.Equal(t, "getWeather", agents[0].toolName("get_weather"))
	assert.Equal(t, "get_weather", agents[1].toolName("get_weather"))
}
