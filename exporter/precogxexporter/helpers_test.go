package precogxexporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadatatest"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// testAPIKey must never show up in a log line or an error.
const testAPIKey = "px_live_s3cr3t-k3y-never-logged"

// agentLimitBody is the documented 403 of the plan's agent limit.
var agentLimitBody = `{"detail": "` + precogxapi.AgentLimitDetail + `"}`

// received is one request the fake API got.
type received struct {
	path         string
	header       http.Header
	bodyBytes    int
	interactions []precogxapi.Interaction
}

func (r received) agent() string { return r.interactions[0].AgentID }

// reply is the answer the fake API gives.
type reply struct {
	status int
	header map[string]string
	body   string
}

// fakeAPI stands in for PrecogX: it decodes every request and answers with
// the test's function.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	got    []received
	answer func(received) reply
}

func newFakeAPI(t *testing.T, answer func(received) reply) *fakeAPI {
	api := &fakeAPI{t: t, answer: answer}
	api.srv = httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(api.srv.Close)
	return api
}

func ok(received) reply { return reply{status: http.StatusOK} }

func (api *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rec := received{path: r.URL.Path, header: r.Header.Clone(), bodyBytes: len(body)}
	switch r.URL.Path {
	case precogxapi.PathBatch:
		var br precogxapi.BatchRequest
		if err := json.Unmarshal(body, &br); err != nil {
			api.t.Errorf("batch body is not JSON: %v", err)
		}
		rec.interactions = br.Interactions
	case precogxapi.PathIngest:
		var in precogxapi.Interaction
		if err := json.Unmarshal(body, &in); err != nil {
			api.t.Errorf("ingest body is not JSON: %v", err)
		}
		rec.interactions = []precogxapi.Interaction{in}
	}
	api.mu.Lock()
	api.got = append(api.got, rec)
	answer := api.answer
	api.mu.Unlock()

	rep := answer(rec)
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	_, _ = io.WriteString(w, rep.body)
}

func (api *fakeAPI) setAnswer(answer func(received) reply) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.answer = answer
}

func (api *fakeAPI) requests() []received {
	api.mu.Lock()
	defer api.mu.Unlock()
	return append([]received(nil), api.got...)
}

// requestsBy counts the requests per agent.
func (api *fakeAPI) requestsBy() map[string]int {
	out := map[string]int{}
	for _, r := range api.requests() {
		out[r.agent()]++
	}
	return out
}

// delivered counts how often each interaction id reached the API.
func (api *fakeAPI) delivered() map[string]int {
	out := map[string]int{}
	for _, r := range api.requests() {
		for _, in := range r.interactions {
			out[in.Metadata.InteractionID]++
		}
	}
	return out
}

// fakeClock is a settable clock for the agent-limit cooldown.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a started exporter with observable logs and telemetry.
type harness struct {
	exp   *precogxExporter
	tel   *componenttest.Telemetry
	logs  *observer.ObservedLogs
	clock *fakeClock
}

func newHarness(t *testing.T, endpoint string, configure func(*Config)) *harness {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.APIKey = testAPIKey
	cfg.RetryConfig.Enabled = false
	if configure != nil {
		configure(cfg)
	}
	require.NoError(t, cfg.Validate())

	tel := componenttest.NewTelemetry()
	core, logs := observer.New(zapcore.DebugLevel)
	set := metadatatest.NewSettings(tel)
	set.Logger = zap.New(core)

	exp, err := newExporter(cfg, set)
	require.NoError(t, err)
	clock := newFakeClock()
	exp.now = clock.Now
	require.NoError(t, exp.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, exp.shutdown(context.Background()))
		require.NoError(t, tel.Shutdown(context.Background()))
	})
	return &harness{exp: exp, tel: tel, logs: logs, clock: clock}
}

// agentSpec asks for n interactions of one agent.
type agentSpec struct {
	id string
	n  int
}

// traffic builds traces with one span per interaction, each agent under its
// own resource, and installs a converter that turns exactly those spans back
// into interactions, as genai.Convert does, so the remainder of a partial
// failure can be pushed again.
func (h *harness) traffic(agents ...agentSpec) ptrace.Traces {
	td := ptrace.NewTraces()
	all := map[genai.SpanRef]struct {
		agent string
		in    precogxapi.Interaction
	}{}
	var order []genai.SpanRef
	seq := byte(0)
	for _, a := range agents {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", a.id)
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := range a.n {
			seq++
			span := spans.AppendEmpty()
			span.SetName("chat")
			span.SetTraceID(pcommon.TraceID{1, seq})
			span.SetSpanID(pcommon.SpanID{2, seq})
			ref := genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}
			id := fmt.Sprintf("%s-%d", a.id, i)
			all[ref] = struct {
				agent string
				in    precogxapi.Interaction
			}{a.id, precogxapi.Interaction{
				AgentID:  a.id,
				Prompt:   "prompt of " + id,
				Response: "response of " + id,
				Metadata: precogxapi.Metadata{
					InteractionID: id,
					TraceID:       span.TraceID().String(),
					SpanID:        span.SpanID().String(),
					Platform:      "opentelemetry",
				},
			}}
			order = append(order, ref)
		}
	}
	h.exp.convert = func(td ptrace.Traces, _ genai.Options) genai.Result {
		present := map[genai.SpanRef]bool{}
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					present[genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}] = true
				}
			}
		}
		var res genai.Result
		byAgent := map[string]int{}
		for _, ref := range order {
			if !present[ref] {
				continue
			}
			v := all[ref]
			k, ok := byAgent[v.agent]
			if !ok {
				k = len(res.Batches)
				byAgent[v.agent] = k
				res.Batches = append(res.Batches, genai.AgentBatch{AgentID: v.agent})
			}
			b := &res.Batches[k]
			b.Interactions = append(b.Interactions, v.in)
			b.Sources = append(b.Sources, []genai.SpanRef{ref})
		}
		return res
	}
	return td
}

// spanCountByAgent counts the spans of td per service.name.
func spanCountByAgent(td ptrace.Traces) map[string]int {
	out := map[string]int{}
	for _, rs := range td.ResourceSpans().All() {
		name, _ := rs.Resource().Attributes().Get("service.name")
		for _, ss := range rs.ScopeSpans().All() {
			out[name.Str()] += ss.Spans().Len()
		}
	}
	return out
}

// logsContaining returns the log entries whose message contains s.
func (h *harness) logsContaining(s string) []observer.LoggedEntry {
	return h.logs.FilterMessageSnippet(s).All()
}
