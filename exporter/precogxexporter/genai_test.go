package precogxexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadatatest"
	"github.com/precogxai/precogx-otel/internal/genai"
)

// These tests run the real genai.Convert and genai.SelectSpans, so the
// exporter and the shared conversion agree end to end.

// chatSpan appends an OTel GenAI `chat` span of service to td.
func chatSpan(td ptrace.Traces, service string, seq byte, prompt, answer string) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("chat gpt-4o")
	span.SetKind(ptrace.SpanKindClient)
	span.SetTraceID(pcommon.TraceID{9, seq})
	span.SetSpanID(pcommon.SpanID{8, seq})
	start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(800 * time.Millisecond)))
	attrs := span.Attributes()
	attrs.PutStr("gen_ai.operation.name", "chat")
	attrs.PutStr("gen_ai.provider.name", "openai")
	attrs.PutStr("gen_ai.request.model", "gpt-4o")
	attrs.PutInt("gen_ai.usage.input_tokens", 47)
	attrs.PutInt("gen_ai.usage.output_tokens", 17)
	attrs.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+prompt+`"}]}]`)
	attrs.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"`+answer+`"}],"finish_reason":"stop"}]`)
}

// plainSpan appends a span no GenAI convention claims.
func plainSpan(td ptrace.Traces, service string, seq byte) {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("GET /health")
	span.SetTraceID(pcommon.TraceID{7, seq})
	span.SetSpanID(pcommon.SpanID{6, seq})
}

func TestRealConversionIsSent(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, nil)
	td := ptrace.NewTraces()
	chatSpan(td, "weather-agent", 1, "Weather in Paris?", "It is rainy, 57F.")
	plainSpan(td, "weather-agent", 2)

	require.NoError(t, h.exp.pushTraces(context.Background(), td))
	reqs := api.requests()
	require.Len(t, reqs, 1)
	require.Len(t, reqs[0].interactions, 1)
	in := reqs[0].interactions[0]
	assert.Equal(t, "weather-agent", in.AgentID)
	assert.Contains(t, in.Prompt, "Weather in Paris?")
	assert.Contains(t, in.Response, "It is rainy, 57F.")
	assert.Equal(t, pcommon.TraceID{9, 1}.String(), in.Metadata.TraceID)
	assert.NotEmpty(t, in.Metadata.InteractionID)
	metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel,
		[]metricdata.DataPoint[int64]{droppedPoint(string(genai.DropNotLLM), 1)},
		metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestRealConversionRetriesOnlyTheFailedAgent(t *testing.T) {
	api := newFakeAPI(t, func(r received) reply {
		if r.agent() == "billing-agent" {
			return reply{status: 502}
		}
		return reply{status: 200}
	})
	h := newHarness(t, api.srv.URL, nil)
	td := ptrace.NewTraces()
	chatSpan(td, "weather-agent", 1, "Weather in Paris?", "Rainy.")
	chatSpan(td, "billing-agent", 2, "Refund order 42", "Done.")
	chatSpan(td, "billing-agent", 3, "Refund order 43", "Done too.")

	err := h.exp.pushTraces(context.Background(), td)
	require.Error(t, err)
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, map[string]int{"billing-agent": 2}, spanCountByAgent(partial.Data()))
}

func TestRealConversionCapsFields(t *testing.T) {
	api := newFakeAPI(t, ok)
	h := newHarness(t, api.srv.URL, func(cfg *Config) { cfg.MaxFieldBytes = 64 })
	td := ptrace.NewTraces()
	long := ""
	for range 50 {
		long += "long prompt "
	}
	chatSpan(td, "weather-agent", 1, long, "ok")
	require.NoError(t, h.exp.pushTraces(context.Background(), td))
	reqs := api.requests()
	require.Len(t, reqs, 1)
	in := reqs[0].interactions[0]
	assert.LessOrEqual(t, len(in.Prompt), 64, "max_field_bytes reaches genai.Options")
	assert.Contains(t, in.Metadata.Truncated, "prompt")
}
