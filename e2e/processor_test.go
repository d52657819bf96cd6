package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

// TestProcessorKeepsOnlyLLMSpans sends one OTLP request mixing HTTP and DB
// spans with LLM spans of four conventions from two services, and reads back
// what the collector passes on: only the LLM, tool and agent spans, each with
// its agent id and class.
func TestProcessorKeepsOnlyLLMSpans(t *testing.T) {
	sink := newOTLPSink(t)
	col := startCollector(t, "e2e-processor.yaml", map[string]string{"SINK_ENDPOINT": sink.URL})

	td := ptrace.NewTraces()
	checkout := addService(td, "checkout-svc")
	addSpan(checkout, "POST /chat", ptrace.SpanKindServer, map[string]any{"http.request.method": "POST", "url.path": "/chat"})
	addSpan(checkout, "SELECT orders", ptrace.SpanKindClient, map[string]any{"db.system.name": "postgresql", "db.query.text": "SELECT * FROM orders"})
	addSpan(checkout, "chat gpt-4o", ptrace.SpanKindClient, map[string]any{ // OTel GenAI semconv
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Where is my order?"}]}]`,
	})
	addSpan(checkout, "openai.chat", ptrace.SpanKindClient, map[string]any{ // OpenLLMetry, legacy flattened
		"llm.request.type": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Cancel it",
		"traceloop.association.properties.session_id": "sess-1",
	})
	addSpan(checkout, "GET /v1/models", ptrace.SpanKindClient, map[string]any{ // stamped by the Traceloop span processor, still not an LLM span
		"http.request.method": "GET", "traceloop.association.properties.session_id": "sess-1", "traceloop.workflow.name": "support",
	})

	research := addService(td, "research-agent")
	addSpan(research, "OpenAI Chat Completions", ptrace.SpanKindClient, map[string]any{ // OpenInference
		"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o",
		"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "Find papers on RAG",
	})
	addSpan(research, "search_papers", ptrace.SpanKindInternal, map[string]any{"openinference.span.kind": "TOOL", "tool.name": "search_papers", "input.value": `{"q":"RAG"}`})
	addSpan(research, "RunnableSequence", ptrace.SpanKindInternal, map[string]any{"openinference.span.kind": "CHAIN", "session.id": "s-9"})
	addSpan(research, "ai.generateText.doGenerate", ptrace.SpanKindClient, map[string]any{ // Vercel AI SDK
		"ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat",
		"ai.prompt.messages": `[{"role":"user","content":[{"type":"text","text":"Summarise"}]}]`,
	})
	addSpan(research, "invoke_agent researcher", ptrace.SpanKindInternal, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher",
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, testbed.SendTraces(ctx, col.OTLPHTTP, td))

	want := map[string][2]string{ // span name -> agent id, kind
		"chat gpt-4o":                {"support-bot-prod", "llm"},
		"openai.chat":                {"support-bot-prod", "llm"},
		"OpenAI Chat Completions":    {"research-agent", "llm"},
		"search_papers":              {"research-agent", "tool"},
		"ai.generateText.doGenerate": {"research-agent", "llm"},
		"invoke_agent researcher":    {"researcher", "agent"},
	}
	eventually(t, 20*time.Second, func() bool { return len(sink.spans()) >= len(want) },
		"the sink got %d spans, want %d", len(sink.spans()), len(want))
	time.Sleep(500 * time.Millisecond) // anything unexpected would arrive in the same export

	got := map[string][2]string{}
	for _, s := range sink.spans() {
		agent, _ := s.span.Attributes().Get("precogx.agent_id")
		kind, _ := s.span.Attributes().Get("precogx.kind")
		got[s.span.Name()] = [2]string{agent.AsString(), kind.AsString()}
	}
	assert.Equal(t, want, got)

	m, err := testbed.ScrapeMetrics(ctx, col.MetricsURL)
	require.NoError(t, err)
	assert.Equal(t, 4.0, m.Sum("otelcol_processor_precogx_spans_dropped", `reason="not_llm"`), "dropped not_llm in %v", m)
	assert.Equal(t, 6.0, m.Sum("otelcol_processor_precogx_spans_kept"), "kept in %v", m)
}

func addService(td ptrace.Traces, service string) ptrace.SpanSlice {
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("e2e")
	return ss.Spans()
}

var nextSpan byte

func addSpan(spans ptrace.SpanSlice, name string, kind ptrace.SpanKind, attrs map[string]any) {
	nextSpan++
	s := spans.AppendEmpty()
	s.SetName(name)
	s.SetKind(kind)
	s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	s.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, 1, nextSpan})
	now := time.Now()
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	if err := s.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
}
