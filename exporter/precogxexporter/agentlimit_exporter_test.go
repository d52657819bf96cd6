package precogxexporter

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap/zapcore"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadatatest"
)

// refuse answers the agent-limit 403 for the given agents and 200 otherwise.
func refuse(agents ...string) func(received) reply {
	return func(r received) reply {
		for _, a := range agents {
			if r.agent() == a {
				return reply{status: 403, body: agentLimitBody}
			}
		}
		return reply{status: 200}
	}
}

func droppedPoint(reason string, n int64) metricdata.DataPoint[int64] {
	return metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("reason", reason))}
}

func TestAgentLimitDropsOnlyThatAgent(t *testing.T) {
	api := newFakeAPI(t, refuse("c"))
	h := newHarness(t, api.srv.URL, func(cfg *Config) {
		cfg.MaxInteractionsPerRequest = 1 // c needs two requests: only one may be made
		cfg.AgentLimit.Cooldown = 10 * time.Minute
	})
	td := h.traffic(agentSpec{"a", 2}, agentSpec{"b", 2}, agentSpec{"c", 2})
	ctx := context.Background()

	// 1. c is refused: a and b are delivered exactly once, c is dropped, not retried.
	require.NoError(t, h.exp.pushTraces(ctx, td), "a refused agent is not a failure to retry")
	assert.Equal(t, map[string]int{"a": 2, "b": 2, "c": 1}, api.requestsBy())
	assert.Equal(t, map[string]int{"a-0": 1, "a-1": 1, "b-0": 1, "b-1": 1, "c-0": 1}, api.delivered())
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonAgentLimit, 2)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualExporterPrecogxInteractionsSent(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 4}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualExporterPrecogxAgentsOverLimit(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExporterPrecogxAgentLimitDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 2, Attributes: attribute.NewSet(attribute.String("agent_id", "c"))}},
		metricdatatest.IgnoreTimestamp())

	warnings := h.logsContaining("agent limit")
	require.Len(t, warnings, 1)
	assert.Equal(t, zapcore.WarnLevel, warnings[0].Level)
	assert.Equal(t, "c", warnings[0].ContextMap()["agent_id"])
	assert.Contains(t, warnings[0].Message, "Upgrade the PrecogX plan")
	assert.Contains(t, warnings[0].Message, "deactivate retired agents in the PrecogX dashboard")

	// 2. During the cooldown c is dropped without a request and without a new warning.
	h.clock.Advance(9 * time.Minute)
	require.NoError(t, h.exp.pushTraces(ctx, td))
	assert.Equal(t, map[string]int{"a": 4, "b": 4, "c": 1}, api.requestsBy())
	assert.Len(t, h.logsContaining("agent limit"), 1)
	metadatatest.AssertEqualExporterPrecogxAgentLimitDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 4, Attributes: attribute.NewSet(attribute.String("agent_id", "c"))}},
		metricdatatest.IgnoreTimestamp())

	// 3. After the cooldown exactly one probe asks; still refused: a new cooldown, warned once.
	h.clock.Advance(time.Minute)
	require.NoError(t, h.exp.pushTraces(ctx, td))
	assert.Equal(t, 2, api.requestsBy()["c"], "one probe request")
	assert.Len(t, h.logsContaining("agent limit"), 2)
	require.NoError(t, h.exp.pushTraces(ctx, td))
	assert.Equal(t, 2, api.requestsBy()["c"], "the refused probe restarted the cooldown")

	// 4. The plan was upgraded: the next probe is accepted and c flows again.
	api.setAnswer(ok)
	h.clock.Advance(10 * time.Minute)
	require.NoError(t, h.exp.pushTraces(ctx, td))
	assert.Equal(t, 4, api.requestsBy()["c"], "the probe and c's second request")
	require.NoError(t, h.exp.pushTraces(ctx, td))
	assert.Equal(t, 6, api.requestsBy()["c"])
	metadatatest.AssertEqualExporterPrecogxAgentsOverLimit(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 0}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonAgentLimit, 2+2+2+2)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestAgentLimitProbeIsExclusive(t *testing.T) {
	probing := make(chan struct{})
	release := make(chan struct{})
	var once, releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	api := newFakeAPI(t, refuse("c"))
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.AgentLimit.Cooldown = time.Minute })
	t.Cleanup(unblock) // runs before the server closes: never leave its handler hanging
	td := h.traffic(agentSpec{"c", 1})
	ctx := context.Background()

	require.NoError(t, h.exp.pushTraces(ctx, td))
	require.Equal(t, 1, api.requestsBy()["c"])
	h.clock.Advance(time.Minute)

	// The probe hangs in the server until the concurrent call has finished.
	api.setAnswer(func(r received) reply {
		first := false
		once.Do(func() { first = true; close(probing) })
		if first {
			<-release
		}
		return refuse("c")(r)
	})
	done := make(chan error, 1)
	go func() { done <- h.exp.pushTraces(ctx, td) }()
	select {
	case <-probing:
	case <-time.After(10 * time.Second):
		t.Fatal("the probe never reached the server")
	}
	require.NoError(t, h.exp.pushTraces(ctx, td), "a call during the probe drops c")
	assert.Equal(t, 2, api.requestsBy()["c"], "no request besides the probe")
	unblock()
	require.NoError(t, <-done)
	assert.Equal(t, 2, api.requestsBy()["c"])
}

func TestAgentLimitReportIsBounded(t *testing.T) {
	api := newFakeAPI(t, refuse("a", "b", "c", "d"))
	h := newHarness(t, api.srv.URL, func(cfg *Config) {
		cfg.AgentLimit.MaxReportedAgents = 2
		cfg.MaxConcurrentRequests = 1 // refusal order a, b, c, d
	})
	for _, agent := range []agentSpec{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}} {
		require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agent)))
		h.clock.Advance(time.Second)
	}
	metadatatest.AssertEqualExporterPrecogxAgentsOverLimit(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 4}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExporterPrecogxAgentLimitDropped(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("agent_id", "a"))},
		{Value: 2, Attributes: attribute.NewSet(attribute.String("agent_id", "b"))},
		{Value: 3 + 4, Attributes: attribute.NewSet(attribute.String("agent_id", "_other"))},
	}, metricdatatest.IgnoreTimestamp())
}
