package precogxexporter

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// genaiTestdata holds the span+log fixtures and goldens of internal/genai.
var genaiTestdata = filepath.Join("..", "..", "internal", "genai", "testdata")

// joinedPipeline is the exporter as a collector with a traces and a logs
// pipeline builds it: one instance behind both.
type joinedPipeline struct {
	traces exporter.Traces
	logs   exporter.Logs
	tel    *componenttest.Telemetry
}

// newJoinedPipeline starts the exporter for both signals. By default it
// has no sending queue, so a Consume call returns once its data is sent
// or held, and a short wait.
func newJoinedPipeline(t *testing.T, endpoint string, configure func(*Config)) *joinedPipeline {
	t.Helper()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.APIKey = testAPIKey
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.Enabled = false
	cfg.LogsJoin.Wait = 100 * time.Millisecond
	cfg.LogsJoin.MaxCallDuration = time.Second
	if configure != nil {
		configure(cfg)
	}
	require.NoError(t, cfg.Validate())

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	ctx := context.Background()
	traces, err := f.CreateTraces(ctx, set, cfg)
	require.NoError(t, err)
	logs, err := f.CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	require.NoError(t, traces.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, logs.Start(ctx, componenttest.NewNopHost()))
	p := &joinedPipeline{traces: traces, logs: logs, tel: tel}
	t.Cleanup(func() { p.shutdown(t) })
	return p
}

func (p *joinedPipeline) shutdown(t *testing.T) {
	if p.traces != nil {
		require.NoError(t, p.traces.Shutdown(context.Background()))
		p.traces = nil
	}
	if p.logs != nil {
		require.NoError(t, p.logs.Shutdown(context.Background()))
		p.logs = nil
	}
}

// counter returns a counter's value by the value of its one attribute
// ("" for a counter without attributes).
func counter(t *testing.T, tel *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := tel.GetMetric("otelcol_" + name)
	if err != nil {
		return out // not recorded yet
	}
	var points []metricdata.DataPoint[int64]
	switch data := m.Data.(type) {
	case metricdata.Sum[int64]:
		points = data.DataPoints
	case metricdata.Gauge[int64]:
		points = data.DataPoints
	}
	for _, dp := range points {
		key := ""
		if kv := dp.Attributes.ToSlice(); len(kv) > 0 {
			key = kv[0].Value.AsString()
		}
		out[key] += dp.Value
	}
	return out
}

func heldBytes(t *testing.T, tel *componenttest.Telemetry) int64 {
	return counter(t, tel, "exporter_precogx_logs_join_held_bytes")[""]
}

// assertNothingHeld asserts that the join holds no spans or records, only
// its memory of the spans it just sent.
func assertNothingHeld(t *testing.T, tel *componenttest.Telemetry, sentSpans int) {
	t.Helper()
	assert.Equal(t, int64(sentSpans*recentEntryBytes), heldBytes(t, tel))
}

// pairFixture loads a span+log fixture of internal/genai/testdata/logs.
func pairFixture(t *testing.T, name string) (ptrace.Traces, plog.Logs) {
	t.Helper()
	dir := filepath.Join(genaiTestdata, "logs")
	data, err := os.ReadFile(filepath.Join(dir, name+".traces.json"))
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
	require.NoError(t, err)
	data, err = os.ReadFile(filepath.Join(dir, name+".logs.json"))
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(data)
	require.NoError(t, err)
	return td, ld
}

// goldenInteractions reads the interactions of a genai golden file.
func goldenInteractions(t *testing.T, path string) []precogxapi.Interaction {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var g struct {
		Batches []struct {
			Interactions []precogxapi.Interaction `json:"interactions"`
		} `json:"batches"`
	}
	require.NoError(t, json.Unmarshal(data, &g))
	var out []precogxapi.Interaction
	for _, b := range g.Batches {
		for _, in := range b.Interactions {
			for k, tc := range in.ToolCalls { // the golden file is indented
				var buf bytes.Buffer
				require.NoError(t, json.Compact(&buf, tc.Parameters))
				in.ToolCalls[k].Parameters = buf.Bytes()
			}
			out = append(out, in)
		}
	}
	return byID(out)
}

func byID(ins []precogxapi.Interaction) []precogxapi.Interaction {
	slices.SortFunc(ins, func(a, b precogxapi.Interaction) int {
		return strings.Compare(a.Metadata.InteractionID, b.Metadata.InteractionID)
	})
	return ins
}

func (api *fakeAPI) interactions() []precogxapi.Interaction {
	var out []precogxapi.Interaction
	for _, r := range api.requests() {
		out = append(out, r.interactions...)
	}
	return byID(out)
}

// eachOnce asserts that every interaction reached the API exactly once.
func eachOnce(t *testing.T, api *fakeAPI, want int) {
	t.Helper()
	delivered := api.delivered()
	assert.Len(t, delivered, want)
	for id, n := range delivered {
		assert.Equal(t, 1, n, "interaction %s delivered %d times", id, n)
	}
}

func TestLogsJoinRecordedOTelOpenAI(t *testing.T) {
	golden := goldenInteractions(t, filepath.Join(genaiTestdata, "golden-recorded", fixtures.OTelOpenAI+".json"))
	for _, order := range []string{"logs first", "spans first"} {
		t.Run(order, func(t *testing.T) {
			api := newFakeAPI(t, ok)
			p := newJoinedPipeline(t, api.srv.URL, nil)
			td := fixtures.Recorded(t, fixtures.OTelOpenAI)
			ld := fixtures.RecordedLogs(t, fixtures.OTelOpenAI)
			ctx := context.Background()
			if order == "logs first" {
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
				assert.Empty(t, api.requests(), "records wait for their spans")
				assert.Positive(t, heldBytes(t, p.tel))
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
			} else {
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
				assert.Empty(t, api.requests(), "spans without content wait for their records")
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
			}
			// Both halves met: nothing waited for the wait to end.
			assert.Equal(t, golden, api.interactions(), "the interactions the golden conversion gives")
			eachOnce(t, api, len(golden))
			assert.Equal(t, map[string]int64{"joined": int64(ld.LogRecordCount())}, counter(t, p.tel, "exporter_precogx_log_records"))
			assertNothingHeld(t, p.tel, len(golden))
			assert.Empty(t, counter(t, p.tel, "exporter_precogx_interactions_dropped"))
		})
	}
}

// The tool round of one trace: an application span around two calls; the
// second call feeds the tool result back, which lands in the first call's
// tool call once the trace is converted together.
func TestLogsJoinToolRound(t *testing.T) {
	golden := goldenInteractions(t, filepath.Join(genaiTestdata, "golden-logs", "tool_round.json"))
	for _, order := range []string{"logs first", "spans first"} {
		t.Run(order, func(t *testing.T) {
			api := newFakeAPI(t, ok)
			p := newJoinedPipeline(t, api.srv.URL, nil)
			td, ld := pairFixture(t, "tool_round")
			ctx := context.Background()
			if order == "logs first" {
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
			} else {
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
			}
			got := api.interactions()
			assert.Equal(t, golden, got)
			require.Len(t, got, 2)
			require.Len(t, got[0].ToolCalls, 1)
			assert.Equal(t, `{"location":"Paris","temperature_c":22,"condition":"sunny"}`, got[0].ToolCalls[0].Result)
			eachOnce(t, api, 2)
		})
	}
}

// Records that arrive in two batches around their span: the input before,
// the answer after.
func TestLogsJoinSpanBetweenItsRecords(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, nil)
	td, ld := pairFixture(t, "chat")
	input, output := plog.NewLogs(), plog.NewLogs()
	ld.CopyTo(input)
	ld.CopyTo(output)
	input.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
		return genai.LogContentOf(lr) != genai.LogInput
	})
	output.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
		return genai.LogContentOf(lr) != genai.LogOutput
	})
	ctx := context.Background()
	require.NoError(t, p.logs.ConsumeLogs(ctx, input))
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	assert.Empty(t, api.requests(), "the span waits for the answer")
	require.NoError(t, p.logs.ConsumeLogs(ctx, output))
	got := api.interactions()
	require.Len(t, got, 1)
	assert.Equal(t, "Say hello", got[0].Prompt)
	assert.Equal(t, "Hello! How can I help you today?", got[0].Response)
	assert.Equal(t, "You are a friendly assistant.", got[0].Metadata.SystemPrompt)
}

func TestLogsJoinSpanWhoseLogsNeverCome(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, nil)
	td, _ := pairFixture(t, "chat")
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), td))
	assert.Empty(t, counter(t, p.tel, "exporter_precogx_interactions_dropped"), "not dropped before the wait")
	require.Eventually(t, func() bool {
		return counter(t, p.tel, "exporter_precogx_spans_without_logs")[""] == 1
	}, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		return counter(t, p.tel, "exporter_precogx_interactions_dropped")[string(genai.DropNoContent)] == 1
	}, 5*time.Second, 10*time.Millisecond, "sent as it is after the wait: no content")
	assert.Empty(t, api.requests())
	assertNothingHeld(t, p.tel, 0)
}

func TestLogsJoinRecordsWhoseSpanNeverComes(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, nil)
	_, ld := pairFixture(t, "orphan_records")
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	require.Eventually(t, func() bool { return len(api.requests()) == 1 }, 5*time.Second, 10*time.Millisecond)
	got := api.interactions()
	require.Len(t, got, 1)
	in := got[0]
	assert.Equal(t, "support-bot", in.AgentID, "precogx.agent_id of the records")
	assert.Equal(t, "Is anyone there?", in.Prompt)
	assert.Equal(t, "Yes, I am here.", in.Response)
	assert.Equal(t, "55555555555555555555555555555555-5555555555555551", in.Metadata.InteractionID, "the ids of the records")
	assert.Equal(t, "gpt-4o-mini", in.Metadata.Model)
	assert.Equal(t, map[string]int64{"unmatched": 2}, counter(t, p.tel, "exporter_precogx_log_records"))
	assertNothingHeld(t, p.tel, 1)
}

// A span that carries its own content never waits; records of the same
// call that come after it (instrumentations that emit both) are late and
// dropped, so the call is sent once.
func TestLogsJoinSpanWithContentDoesNotWait(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, func(cfg *Config) { cfg.LogsJoin.Wait = time.Hour })
	td := ptrace.NewTraces()
	chatSpan(td, "weather-agent", 1, "Say hello", "Hello!")
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	require.Len(t, api.requests(), 1, "sent at once")

	span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	ld := records(genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}, true, true)
	require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
	p.shutdown(t)
	eachOnce(t, api, 1)
	assert.Equal(t, map[string]int64{"late": 2}, counter(t, p.tel, "exporter_precogx_log_records"))
}

// One interaction per real model call holds with joined content: an agent
// span that repeats the call's prompt and answer is merged into the call,
// whichever half came first.
func TestLogsJoinDedupsAgentSpan(t *testing.T) {
	for _, order := range []string{"logs first", "spans first"} {
		t.Run(order, func(t *testing.T) {
			api := newFakeAPI(t, ok)
			p := newJoinedPipeline(t, api.srv.URL, nil)
			td, ld := pairFixture(t, "chat")
			chat := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			agent := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
			agent.SetTraceID(chat.TraceID())
			agent.SetSpanID(pcommon.SpanID{0xa})
			agent.SetName("invoke_agent greeter")
			agent.SetStartTimestamp(chat.StartTimestamp())
			agent.SetEndTimestamp(chat.EndTimestamp())
			attrs := agent.Attributes()
			attrs.PutStr("gen_ai.operation.name", "invoke_agent")
			attrs.PutStr("gen_ai.agent.name", "greeter")
			attrs.PutStr("gen_ai.conversation.id", "conv-7")
			attrs.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Say hello"}]}]`)
			attrs.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Hello! How can I help you today?"}]}]`)
			chat.SetParentSpanID(agent.SpanID())

			ctx := context.Background()
			if order == "logs first" {
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
			} else {
				require.NoError(t, p.traces.ConsumeTraces(ctx, td))
				assert.Empty(t, api.requests(), "the agent span waits with the call it wraps")
				require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
			}
			got := api.interactions()
			require.Len(t, got, 1, "one interaction for one model call")
			assert.Equal(t, "Say hello", got[0].Prompt)
			assert.Equal(t, chat.SpanID().String(), got[0].Metadata.SpanID, "the model call's ids")
			assert.Equal(t, "greeter", got[0].Metadata.AgentName, "the agent-level ids")
			assert.Equal(t, "conv-7", got[0].Metadata.ConversationID)
		})
	}
}

func TestLogsJoinMemoryBound(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, func(cfg *Config) {
		cfg.LogsJoin.Wait = time.Hour
		cfg.LogsJoin.MaxBytes = 1 // nothing fits: everything goes at once
	})
	td, ld := pairFixture(t, "tool_round")
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	assert.Equal(t, int64(1), counter(t, p.tel, "exporter_precogx_logs_join_evictions")[""])
	assert.Equal(t, int64(2), counter(t, p.tel, "exporter_precogx_spans_without_logs")[""])
	require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
	assert.Equal(t, int64(2), counter(t, p.tel, "exporter_precogx_logs_join_evictions")[""])
	assert.Equal(t, map[string]int64{"unmatched": int64(ld.LogRecordCount())}, counter(t, p.tel, "exporter_precogx_log_records"))
	got := api.interactions()
	require.Len(t, got, 2, "the records still arrive, as interactions of their own")
	assert.Equal(t, "What is the weather in Paris?", got[0].Prompt)
	assert.Equal(t, "It is sunny and 22°C in Paris right now.", got[1].Response)
}

// Shutdown sends everything held, through the default sending queue.
func TestLogsJoinShutdownSendsEverythingHeld(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, func(cfg *Config) {
		cfg.QueueConfig = defaultQueueConfig()
		cfg.LogsJoin.Wait = time.Hour
		cfg.LogsJoin.MaxCallDuration = time.Hour
	})
	ctx := context.Background()
	// A held span with the input of its call, the answer still missing.
	chatTD, chatLD := pairFixture(t, "chat")
	chatLD.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
		return genai.LogContentOf(lr) == genai.LogOutput
	})
	require.NoError(t, p.traces.ConsumeTraces(ctx, chatTD))
	require.NoError(t, p.logs.ConsumeLogs(ctx, chatLD))
	// Records whose span has not come.
	_, orphanLD := pairFixture(t, "orphan_records")
	require.NoError(t, p.logs.ConsumeLogs(ctx, orphanLD))

	time.Sleep(50 * time.Millisecond)
	assert.Empty(t, api.requests())
	p.shutdown(t)

	got := api.interactions()
	require.Len(t, got, 2, "nothing held is lost")
	assert.Equal(t, "Say hello", got[0].Prompt)
	assert.Empty(t, got[0].Response)
	assert.Equal(t, "Is anyone there?", got[1].Prompt)
	eachOnce(t, api, 2)
}

// A joined unit whose request fails retryably is retried by the joined
// queue's retry_on_failure until delivered, once.
func TestLogsJoinRetriesJoinedUnits(t *testing.T) {
	var calls atomic.Int32
	api := newFakeAPI(t, func(received) reply {
		if calls.Add(1) <= 2 {
			return reply{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": "0"}}
		}
		return reply{status: http.StatusOK}
	})
	p := newJoinedPipeline(t, api.srv.URL, func(cfg *Config) {
		cfg.RetryConfig.Enabled = true
		cfg.RetryConfig.InitialInterval = 5 * time.Millisecond
		cfg.RetryConfig.MaxInterval = 10 * time.Millisecond
	})
	td, ld := pairFixture(t, "chat")
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	require.NoError(t, p.logs.ConsumeLogs(ctx, ld), "the records are taken; sending is the join's")
	assert.Equal(t, map[string]int{"11111111111111111111111111111111-1111111111111111": 3}, api.delivered(), "two 503s, then accepted")
	assert.Equal(t, int64(1), counter(t, p.tel, "exporter_precogx_interactions_sent")[""])
}

func TestLogsJoinCountsRecordsItCannotUse(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, nil)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetStr("GET /health 200")
	lrs.AppendEmpty().Attributes().PutStr("event.name", "gen_ai.user.message") // no trace context
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	assert.Equal(t, map[string]int64{"not_genai": 1, "no_span_context": 1}, counter(t, p.tel, "exporter_precogx_log_records"))
	assertNothingHeld(t, p.tel, 0)
}

// Without a logs pipeline the exporter works as before: nothing waits.
func TestNoLogsPipelineNoWait(t *testing.T) {
	api := newFakeAPI(t, ok)
	h, traces := newPipelineExporter(t, api.srv.URL, func(cfg *Config) {
		cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
		cfg.LogsJoin.Wait = time.Hour
	})
	require.NoError(t, traces.Start(context.Background(), componenttest.NewNopHost()))
	td, _ := pairFixture(t, "chat")
	require.NoError(t, traces.ConsumeTraces(context.Background(), td))
	assert.Equal(t, map[string]int64{string(genai.DropNoContent): 1}, counter(t, h.tel, "exporter_precogx_interactions_dropped"),
		"a span without content is dropped at once")
	require.NoError(t, traces.Shutdown(context.Background()))
	_, err := h.tel.GetMetric("otelcol_exporter_precogx_logs_join_held_bytes")
	assert.Error(t, err, "no join, no join metrics")
}

// In a logs pipeline alone, records are delivered on their own.
func TestLogsOnlyPipeline(t *testing.T) {
	api := newFakeAPI(t, ok)
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = api.srv.URL
	cfg.APIKey = testAPIKey
	cfg.LogsJoin.Wait = 50 * time.Millisecond
	logs, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, logs.Start(context.Background(), componenttest.NewNopHost()))
	_, ld := pairFixture(t, "chat")
	require.NoError(t, logs.ConsumeLogs(context.Background(), ld))
	require.NoError(t, logs.Shutdown(context.Background()))
	got := api.interactions()
	require.Len(t, got, 1)
	assert.Equal(t, "Hello! How can I help you today?", got[0].Response)
}

// The traces and logs exporters of one configuration are one exporter: the
// first to shut down leaves the join running for the other.
func TestOneExporterForBothSignals(t *testing.T) {
	api := newFakeAPI(t, ok)
	p := newJoinedPipeline(t, api.srv.URL, func(cfg *Config) { cfg.LogsJoin.Wait = time.Hour })
	td, ld := pairFixture(t, "chat")
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	require.NoError(t, p.traces.Shutdown(ctx))
	p.traces = nil
	assert.Empty(t, api.requests())
	require.NoError(t, p.logs.ConsumeLogs(ctx, ld), "the span held by the traces side meets its records")
	eachOnce(t, api, 1)
}

func TestJoinedID(t *testing.T) {
	assert.Equal(t, "precogx/joined", joinedID(component.NewID(metadata.Type)).String())
	assert.Equal(t, "precogx/prod_joined", joinedID(component.NewIDWithName(metadata.Type, "prod")).String())
}

func TestLogsJoinConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, LogsJoinConfig{Wait: 10 * time.Second, MaxCallDuration: 2 * time.Minute, MaxBytes: 64 << 20}, cfg.LogsJoin)

	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"api_key":   "px_live_x",
		"logs_join": map[string]any{"wait": "10s", "max_call_duration": "5m", "max_bytes": 1 << 20},
	}).Unmarshal(cfg))
	assert.Equal(t, LogsJoinConfig{Wait: 10 * time.Second, MaxCallDuration: 5 * time.Minute, MaxBytes: 1 << 20}, cfg.LogsJoin)
	require.NoError(t, confmap.Validate(cfg))

	for _, tc := range []struct {
		name   string
		mutate func(*LogsJoinConfig)
		want   string
	}{
		{"zero wait", func(c *LogsJoinConfig) { c.Wait = 0 },
			"logs_join.wait must be positive, got 0s: set logs_join.wait to a duration such as 5s or remove it to use the default"},
		{"negative max_call_duration", func(c *LogsJoinConfig) { c.MaxCallDuration = -time.Second },
			"logs_join.max_call_duration must be positive, got -1s: set logs_join.max_call_duration to a duration such as 5s or remove it to use the default"},
		{"zero max_bytes", func(c *LogsJoinConfig) { c.MaxBytes = 0 },
			"logs_join.max_bytes must be positive, got 0: set it to a byte count such as 67108864 (64 MiB) or remove it to use the default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.APIKey = "px_live_x"
			tc.mutate(&cfg.LogsJoin)
			assert.EqualError(t, confmap.Validate(cfg), tc.want)
		})
	}
}
