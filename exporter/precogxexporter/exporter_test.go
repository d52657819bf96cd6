package precogxexporter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap/zapcore"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadatatest"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestRequestShapeAndHeaders(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL+"/", func(cfg *Config) {
		cfg.ClientConfig.Headers = configopaque.MapList{{Name: "X-Tenant", Value: "acme"}}
	})
	h.exp.userAgent = userAgent(component.BuildInfo{Command: "otelcol-precogx", Description: "PrecogX collector", Version: "1.2.3"})
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1})))

	reqs := api.requests()
	require.Len(t, reqs, 2, "one request per agent")
	for _, r := range reqs {
		assert.Equal(t, precogxapi.PathBatch, r.path, "a trailing slash on endpoint is not doubled")
		assert.Equal(t, testAPIKey, r.header.Get("x-api-key"))
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		assert.Equal(t, fmt.Sprintf("precogx-otel/1.2.3 (PrecogX collector; %s/%s)", runtime.GOOS, runtime.GOARCH), r.header.Get("User-Agent"))
		assert.Equal(t, "acme", r.header.Get("X-Tenant"), "confighttp headers apply")
		for _, in := range r.interactions {
			assert.Equal(t, r.agent(), in.AgentID, "a request carries one agent only")
		}
	}
	metadatatest.AssertEqualExporterPrecogxRequestBytes(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: int64(reqs[0].bodyBytes + reqs[1].bodyBytes)}},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestSingleModeSendsOneInteractionPerRequest(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.RequestMode = RequestModeSingle })
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 3})))
	reqs := api.requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, precogxapi.PathIngest, r.path)
		assert.Len(t, r.interactions, 1)
	}
}

func TestRequestsArePackedUpToBothLimits(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxInteractionsPerRequest = 3 })
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 7})))
	var sizes []int
	for _, r := range api.requests() {
		sizes = append(sizes, len(r.interactions))
	}
	assert.Equal(t, []int{3, 3, 1}, sizes)

	api2 := newFakeAPI(t, ok)
	const maxBytes = 600
	h2 := newHarness(t, api2.srv.URL, func(cfg *Config) {
		cfg.MaxRequestBytes = maxBytes
		cfg.MaxFieldBytes = maxBytes
	})
	require.NoError(t, h2.exp.pushTraces(context.Background(), h2.traffic(agentSpec{"a", 7})))
	assert.Len(t, api2.delivered(), 7)
	assert.Greater(t, len(api2.requests()), 1)
	for _, r := range api2.requests() {
		assert.LessOrEqual(t, r.bodyBytes, maxBytes)
	}
}

func TestOversizedInteractionIsDroppedWithoutRequest(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, func(cfg *Config) {
		cfg.MaxRequestBytes = 300
		cfg.MaxFieldBytes = 300
	})
	td := h.traffic(agentSpec{"a", 2})
	convert := h.exp.convert
	h.exp.convert = func(td ptrace.Traces, opts genai.Options) genai.Result {
		res := convert(td, opts)
		res.Batches[0].Interactions[1].Prompt = strings.Repeat("x", 400)
		return res
	}
	err := h.exp.pushTraces(context.Background(), td)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), "larger than max_request_bytes (300)")
	assert.Equal(t, map[string]int{"a-0": 1}, api.delivered())
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonTooLarge, 1)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestTooLargeAnswerSplitsInHalves(t *testing.T) {
	// The server takes at most two interactions per request, and never a-3.
	api := newFakeAPI(t, func(r received) reply {
		if len(r.interactions) > 2 {
			return reply{status: 413}
		}
		for _, in := range r.interactions {
			if in.Metadata.InteractionID == "a-3" {
				return reply{status: 413, body: `{"detail":"Request Entity Too Large"}`}
			}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, nil)
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 5}))

	var sizes []int
	for _, r := range api.requests() {
		sizes = append(sizes, len(r.interactions))
	}
	// [0..4] -> [0,1] ok, [2,3,4] -> [2] ok, [3,4] -> [3] too large, [4] ok
	assert.Equal(t, []int{5, 2, 3, 1, 2, 1, 1}, sizes)
	assert.Equal(t, map[string]int{"a-0": 2, "a-1": 2, "a-2": 3, "a-3": 4, "a-4": 4}, api.delivered(), "counts include refused attempts")
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	metadatatest.AssertEqualExporterPrecogxInteractionsSent(t, h.tel,
		[]metricdata.DataPoint[int64]{{Value: 4}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonTooLarge, 1)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestMissingBatchEndpointFallsBackToSingle(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			api := newFakeAPI(t, func(r received) reply {
				if r.path == precogxapi.PathBatch {
					return reply{status: status}
				}
				return reply{status: 200}
			})
			h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
			ctx := context.Background()
			require.NoError(t, h.exp.pushTraces(ctx, h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1})))
			require.NoError(t, h.exp.pushTraces(ctx, h.traffic(agentSpec{"c", 2})))

			var paths []string
			for _, r := range api.requests() {
				paths = append(paths, r.path+" "+r.agent())
			}
			assert.Equal(t, []string{
				precogxapi.PathBatch + " a", // the only batch attempt
				precogxapi.PathIngest + " a",
				precogxapi.PathIngest + " a",
				precogxapi.PathIngest + " b",
				precogxapi.PathIngest + " c",
				precogxapi.PathIngest + " c",
			}, paths)
			warnings := h.logsContaining("batch endpoint is not available")
			require.Len(t, warnings, 1, "warned once")
			assert.Equal(t, zapcore.WarnLevel, warnings[0].Level)
		})
	}
}

func TestMissingIngestEndpointStopsTheCall(t *testing.T) {
	api := newFakeAPI(t, func(received) reply { return reply{status: 404} })
	h := newHarness(t, api.srv.URL, func(cfg *Config) {
		cfg.RequestMode = RequestModeSingle
		cfg.MaxConcurrentRequests = 1
	})
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 3}, agentSpec{"b", 2}))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Len(t, api.requests(), 1)
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonUnexpectedStatus, 5)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestUnauthorizedStopsTheCallAndLogsRarely(t *testing.T) {
	api := newFakeAPI(t, func(received) reply { return reply{status: 401, body: `{"detail":"Invalid API key"}`} })
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	ctx := context.Background()
	for range 3 {
		err := h.exp.pushTraces(ctx, h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1}))
		require.Error(t, err)
		assert.True(t, consumererror.IsPermanent(err))
		assert.Contains(t, err.Error(), "401 Unauthorized: Invalid API key")
	}
	assert.Len(t, api.requests(), 3, "one request per call: the key will not fix itself")
	logged := h.logsContaining("refused the API key")
	require.Len(t, logged, 1, "at most once a minute")
	assert.Contains(t, logged[0].ContextMap()["error"], "Invalid API key")
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonUnauthorized, 9)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestPartialFailureRetriesOnlyWhatFailed(t *testing.T) {
	var failB atomic.Bool
	failB.Store(true)
	api := newFakeAPI(t, func(r received) reply {
		if r.agent() == "b" && failB.Load() {
			return reply{status: 500}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxInteractionsPerRequest = 2 })
	td := h.traffic(agentSpec{"a", 2}, agentSpec{"b", 3}, agentSpec{"c", 1})

	err := h.exp.pushTraces(context.Background(), td)
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, map[string]int{"b": 3}, spanCountByAgent(partial.Data()),
		"only b's spans come back; b's second request waits with the first")
	assert.Equal(t, 1, api.requestsBy()["b"], "a 500 stops only that agent")

	// exporterhelper retries the remainder: nothing delivered is sent twice.
	failB.Store(false)
	require.NoError(t, h.exp.pushTraces(context.Background(), partial.Data()))
	for id, n := range api.delivered() {
		if strings.HasPrefix(id, "b-0") || strings.HasPrefix(id, "b-1") {
			assert.Equal(t, 2, n, id) // refused once, then delivered
			continue
		}
		assert.Equal(t, 1, n, id)
	}
	assert.Len(t, api.delivered(), 6)
}

func TestBackOffStopsTheCall(t *testing.T) {
	api := newFakeAPI(t, func(r received) reply {
		if r.agent() == "b" {
			return reply{status: 429, header: map[string]string{"Retry-After": "3"}}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}, agentSpec{"b", 1}, agentSpec{"c", 2}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Throttle (3s)")
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, map[string]int{"b": 1, "c": 2}, spanCountByAgent(partial.Data()))
	assert.Equal(t, map[string]int{"a": 1, "b": 1}, api.requestsBy(), "no request after the 429")
}

func TestRejectedAndRetryableTogetherRetriesOnlyTheRetryable(t *testing.T) {
	api := newFakeAPI(t, func(r received) reply {
		if r.agent() == "a" {
			return reply{status: 422}
		}
		return reply{status: 502}
	})
	h := newHarness(t, api.srv.URL, nil)
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}, agentSpec{"b", 1}))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err), "the 502 is retried")
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, map[string]int{"b": 1}, spanCountByAgent(partial.Data()))
	assert.Len(t, h.logsContaining("never accept"), 1)
}

func TestVerdictsAreCounted(t *testing.T) {
	api := newFakeAPI(t, func(received) reply {
		return reply{status: 200, body: `{"status":"success","results":[
			{"action":"ALLOW","risk_score":0.1},
			{"action":"REVIEW","risk_score":0.5},
			{"action":"BLOCK","risk_score":0.97,"flags":["prompt_injection","data_exfiltration"]},
			{"action":"QUARANTINE"},
			{"status":"success"}]}`}
	})
	h := newHarness(t, api.srv.URL, nil)
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"support-bot", 5})))

	point := func(action string, n int64) metricdata.DataPoint[int64] {
		return metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("action", action))}
	}
	metadatatest.AssertEqualExporterPrecogxVerdicts(t, h.tel, []metricdata.DataPoint[int64]{
		point("ALLOW", 1), point("REVIEW", 1), point("BLOCK", 1), point("unknown", 1),
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())

	blocked := h.logsContaining("blocked")
	require.Len(t, blocked, 1)
	entry := blocked[0]
	assert.Equal(t, zapcore.WarnLevel, entry.Level)
	fields := entry.ContextMap()
	assert.Equal(t, "support-bot", fields["agent_id"])
	assert.Equal(t, "support-bot-2", fields["interaction_id"])
	assert.Regexp(t, regexp.MustCompile("^[0-9a-f]{32}$"), fields["trace_id"])
	assert.Regexp(t, regexp.MustCompile("^[0-9a-f]{16}$"), fields["span_id"])
	assert.Equal(t, 0.97, fields["risk_score"])
	assert.Equal(t, []any{"prompt_injection", "data_exfiltration"}, fields["flags"])
	assert.NotContains(t, fmt.Sprint(fields), "prompt of", "the prompt is never logged")
}

func TestVerdictShapes(t *testing.T) {
	tests := []struct {
		name   string
		mode   RequestMode
		body   string
		counts map[string]int64
	}{
		{"single verdict", RequestModeSingle, `{"status":"success","action":"BLOCK","risk_score":0.95,"flags":["pii"],"interactionId":"x"}`, map[string]int64{"BLOCK": 1}},
		{"batch verdicts key", RequestModeBatch, `{"verdicts":[{"action":"allow"}]}`, map[string]int64{"ALLOW": 1}},
		{"batch accepted only", RequestModeBatch, `{"status":"success","accepted":1}`, nil},
		{"empty body", RequestModeBatch, ``, nil},
		{"not json", RequestModeSingle, `OK`, nil},
		{"status only", RequestModeSingle, `{"status":"success"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(received) reply { return reply{status: 200, body: tt.body} })
			h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.RequestMode = tt.mode })
			require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1})))
			metadatatest.AssertEqualExporterPrecogxInteractionsSent(t, h.tel,
				[]metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
			if tt.counts == nil {
				_, err := h.tel.GetMetric("otelcol_exporter_precogx_verdicts")
				assert.Error(t, err, "no verdict counted")
				return
			}
			var want []metricdata.DataPoint[int64]
			for action, n := range tt.counts {
				want = append(want, metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("action", action))})
			}
			metadatatest.AssertEqualExporterPrecogxVerdicts(t, h.tel, want, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
		})
	}
}

func TestGenAIDropsAreCounted(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, nil)
	td := h.traffic()
	h.exp.convert = func(ptrace.Traces, genai.Options) genai.Result {
		return genai.Result{Dropped: map[genai.DropReason]int{genai.DropNotLLM: 4, genai.DropNoAgentID: 1}}
	}
	require.NoError(t, h.exp.pushTraces(context.Background(), td))
	assert.Empty(t, api.requests())
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel, []metricdata.DataPoint[int64]{
		droppedPoint("not_llm", 4), droppedPoint("no_agent_id", 1),
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, most atomic.Int32
	api := newFakeAPI(t, func(received) reply {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxConcurrentRequests = 2 })
	var agents []agentSpec
	for i := range 6 {
		agents = append(agents, agentSpec{fmt.Sprintf("agent-%d", i), 1})
	}
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agents...)))
	assert.Len(t, api.requests(), 6)
	assert.LessOrEqual(t, most.Load(), int32(2))
}

// countingWaiter stands in for the rate limiter.
type countingWaiter struct {
	calls atomic.Int32
	err   error
}

func (w *countingWaiter) Wait(context.Context) error {
	w.calls.Add(1)
	return w.err
}

func TestRateLimitWaitsBeforeEveryRequest(t *testing.T) {
	api := newFakeAPI(t, func(r received) reply {
		if len(r.interactions) > 1 {
			return reply{status: 413}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.RateLimit.RequestsPerMinute = 60 })
	require.NotNil(t, h.exp.limiter, "rate_limit builds a limiter")
	w := &countingWaiter{}
	h.exp.limiter = w
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1})))
	assert.Len(t, api.requests(), 4, "a: 413 then two halves; b: one")
	assert.Equal(t, int32(4), w.calls.Load(), "every request, split halves included, waits its turn")
}

func TestRateLimitPacesRequests(t *testing.T) {
	api := newFakeAPI(t, ok)
	// 1200 a minute is one request every 50ms, with no burst beyond one.
	h := newHarness(t, api.srv.URL, func(cfg *Config) {
		cfg.RateLimit.RequestsPerMinute = 1200
		cfg.MaxInteractionsPerRequest = 1
	})
	start := time.Now()
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 4})))
	assert.Len(t, api.requests(), 4)
	assert.GreaterOrEqual(t, time.Since(start), 140*time.Millisecond, "three waits of 50ms")
}

func TestRateLimitWaitRespectsContext(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, nil)
	h.exp.limiter = &countingWaiter{err: context.DeadlineExceeded}
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}, agentSpec{"b", 1}))
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.False(t, consumererror.IsPermanent(err))
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, 2, partial.Data().SpanCount(), "nothing was sent; all of it is retried")
	assert.Empty(t, api.requests())
}

func TestAPIKeyNeverLeaks(t *testing.T) {
	echo := `{"detail":"key ` + testAPIKey + ` is not valid"}`
	scenarios := map[string]func(received) reply{
		"401 echoing the key": func(received) reply { return reply{status: 401, body: echo} },
		"403 echoing the key": func(received) reply { return reply{status: 403, body: echo} },
		"400 echoing the key": func(received) reply { return reply{status: 400, body: echo} },
		"agent limit":         refuse("a"),
		"429":                 func(received) reply { return reply{status: 429, header: map[string]string{"Retry-After": "1"}} },
		"500 echoing the key": func(received) reply { return reply{status: 500, body: testAPIKey} },
		"404 fallback":        func(received) reply { return reply{status: 404, body: echo} },
		"413":                 func(received) reply { return reply{status: 413, body: echo} },
		"block": func(received) reply {
			return reply{status: 200, body: `{"action":"BLOCK","flags":["x"]}`}
		},
	}
	var mu sync.Mutex
	var seen []string
	for name, answer := range scenarios {
		t.Run(name, func(t *testing.T) {
			api := newFakeAPI(t, answer)
			h := newHarness(t, api.srv.URL, nil)
			err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 2}))
			if err != nil {
				assert.NotContains(t, err.Error(), testAPIKey)
			}
			for _, entry := range h.logs.All() {
				line := entry.Message + " " + fmt.Sprint(entry.ContextMap())
				assert.NotContains(t, line, testAPIKey)
				mu.Lock()
				seen = append(seen, line)
				mu.Unlock()
			}
		})
	}
	t.Run("network error", func(t *testing.T) {
		api := newFakeAPI(t, ok)
		url := api.srv.URL
		api.srv.Close()
		h := newHarness(t, url, nil)
		err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), testAPIKey)
		for _, entry := range h.logs.All() {
			assert.NotContains(t, entry.Message+fmt.Sprint(entry.ContextMap()), testAPIKey)
		}
	})
	assert.NotEmpty(t, seen, "the scenarios did log: the check above is not vacuous")
}

func TestRedirectElsewhereIsNotFollowed(t *testing.T) {
	other := newFakeAPI(t, ok)
	redirect := newFakeAPI(t, func(received) reply {
		return reply{status: http.StatusTemporaryRedirect, header: map[string]string{"Location": other.srv.URL + precogxapi.PathBatch}}
	})
	h := newHarness(t, redirect.srv.URL, nil)
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), "307")
	assert.Empty(t, other.requests(), "the API key never goes to another host")
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(reasonUnexpectedStatus, 1)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestRedirectOnTheSameHostIsFollowed(t *testing.T) {
	var api *fakeAPI
	api = newFakeAPI(t, func(r received) reply {
		if r.path == "/old"+precogxapi.PathBatch {
			return reply{status: http.StatusPermanentRedirect, header: map[string]string{"Location": api.srv.URL + precogxapi.PathBatch}}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL+"/old", nil)
	require.NoError(t, h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1})))
	reqs := api.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, testAPIKey, reqs[1].header.Get("x-api-key"))
	assert.Equal(t, map[string]int{"a-0": 1}, api.delivered())
}
