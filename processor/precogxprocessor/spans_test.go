package precogxprocessor

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/genai"
)

// Spans as the instrumentation libraries emit them (attributes abridged from
// /work/shared/genai-conventions.md).

type testSpan struct {
	name  string
	attrs map[string]any
}

// with returns a copy of s with extra attributes.
func (s testSpan) with(attrs map[string]any) testSpan {
	merged := make(map[string]any, len(s.attrs)+len(attrs))
	for k, v := range s.attrs {
		merged[k] = v
	}
	for k, v := range attrs {
		merged[k] = v
	}
	return testSpan{name: s.name, attrs: merged}
}

var (
	otelChat = testSpan{"chat gpt-4o", map[string]any{
		"gen_ai.operation.name":     "chat",
		"gen_ai.provider.name":      "openai",
		"gen_ai.request.model":      "gpt-4o",
		"gen_ai.response.model":     "gpt-4o-2024-08-06",
		"gen_ai.usage.input_tokens": 47,
		"gen_ai.conversation.id":    "conv_42",
		"gen_ai.input.messages":     `[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]`,
	}}
	otelTool = testSpan{"execute_tool get_weather", map[string]any{
		"gen_ai.operation.name":      "execute_tool",
		"gen_ai.tool.name":           "get_weather",
		"gen_ai.tool.call.id":        "call_1",
		"gen_ai.tool.call.arguments": `{"location":"Paris"}`,
	}}
	otelAgent = testSpan{"invoke_agent weather-agent", map[string]any{
		"gen_ai.operation.name":  "invoke_agent",
		"gen_ai.agent.name":      "weather-agent",
		"gen_ai.conversation.id": "conv_42",
	}}
	otelEmbeddings = testSpan{"embeddings text-embedding-3-small", map[string]any{
		"gen_ai.operation.name": "embeddings",
		"gen_ai.request.model":  "text-embedding-3-small",
		"gen_ai.provider.name":  "openai",
	}}
	openLLMetryChat = testSpan{"openai.chat", map[string]any{
		"llm.request.type":         "chat",
		"gen_ai.system":            "openai",
		"gen_ai.request.model":     "gpt-4o",
		"gen_ai.prompt.0.role":     "user",
		"gen_ai.prompt.0.content":  "Weather in Paris?",
		"gen_ai.completion.0.role": "assistant",
		"traceloop.workflow.name":  "weather_flow",
	}}
	openLLMetryTool = testSpan{"get_weather.tool", map[string]any{
		"traceloop.span.kind":    "tool",
		"traceloop.entity.name":  "get_weather",
		"traceloop.entity.input": `{"args":["Paris"],"kwargs":{}}`,
	}}
	openLLMetryWorkflow = testSpan{"weather_flow.workflow", map[string]any{
		"traceloop.span.kind":   "workflow",
		"traceloop.entity.name": "weather_flow",
	}}
	openInferenceLLM = testSpan{"OpenAI Chat Completions", map[string]any{
		"openinference.span.kind":              "LLM",
		"llm.model_name":                       "gpt-4o-2024-08-06",
		"llm.input_messages.0.message.role":    "user",
		"llm.input_messages.0.message.content": "Weather in Paris?",
		"session.id":                           "sess-42",
	}}
	openInferenceAgent = testSpan{"AgentExecutor", map[string]any{
		"openinference.span.kind": "AGENT",
		"input.value":             "Weather in Paris?",
	}}
	openInferenceChain = testSpan{"RunnableSequence", map[string]any{
		"openinference.span.kind": "CHAIN",
	}}
	vercelGenerate = testSpan{"ai.generateText", map[string]any{
		"ai.operationId":          "ai.generateText",
		"ai.telemetry.functionId": "weather-agent",
		"ai.prompt":               `{"prompt":"Weather in Paris?"}`,
	}}
	vercelDoGenerate = testSpan{"ai.generateText.doGenerate", map[string]any{
		"ai.operationId":     "ai.generateText.doGenerate",
		"ai.model.id":        "gpt-4o",
		"ai.model.provider":  "openai.chat",
		"ai.prompt.messages": `[{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]}]`,
		"gen_ai.system":      "openai.chat",
	}}
	vercelToolCall = testSpan{"ai.toolCall", map[string]any{
		"ai.operationId":   "ai.toolCall",
		"ai.toolCall.name": "getWeather",
		"ai.toolCall.args": `{"location":"Paris"}`,
	}}
	// The Traceloop SDK stamps the agent name and association properties on
	// every span started in the agent's context, HTTP and DB spans included.
	httpSpan = testSpan{"GET /api/orders", map[string]any{
		"http.request.method":                         "GET",
		"url.path":                                    "/api/orders",
		"http.response.status_code":                   200,
		"gen_ai.agent.name":                           "weather-agent",
		"traceloop.association.properties.session_id": "sess-42",
	}}
	dbSpan = testSpan{"SELECT orders", map[string]any{
		"db.system.name":    "postgresql",
		"db.query.text":     "SELECT * FROM orders WHERE id = $1",
		"gen_ai.agent.name": "weather-agent",
	}}
)

type testResource struct {
	attrs  map[string]any
	scopes [][]testSpan
}

func newTraces(resources ...testResource) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, r := range resources {
		rs := td.ResourceSpans().AppendEmpty()
		_ = rs.Resource().Attributes().FromRaw(r.attrs)
		for i, spans := range r.scopes {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(fmt.Sprintf("scope%d", i))
			for _, s := range spans {
				span := ss.Spans().AppendEmpty()
				span.SetName(s.name)
				_ = span.Attributes().FromRaw(s.attrs)
			}
		}
	}
	return td
}

func service(name string) map[string]any { return map[string]any{"service.name": name} }

// summarize lists what is left of a batch, one line per span
// ("service/scope/span agent_id=… kind=…"), and one per empty scope or
// resource, so a test shows in a few lines where each kept span is, how it is
// stamped, and what was pruned.
func summarize(td ptrace.Traces) []string {
	var out []string
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		res := serviceOf(rs.Resource())
		if rs.ScopeSpans().Len() == 0 {
			out = append(out, res+"/")
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			if ss.Spans().Len() == 0 {
				out = append(out, res+"/"+ss.Scope().Name()+"/")
			}
			for k := 0; k < ss.Spans().Len(); k++ {
				span := ss.Spans().At(k)
				out = append(out, fmt.Sprintf("%s/%s/%s %s", res, ss.Scope().Name(), span.Name(), stamps(span.Attributes())))
			}
		}
	}
	return out
}

func serviceOf(res pcommon.Resource) string {
	if v, ok := res.Attributes().Get("service.name"); ok {
		return v.AsString()
	}
	return "-"
}

func stamps(attrs pcommon.Map) string {
	var parts []string
	for _, key := range []string{genai.AttrAgentID, genai.AttrKind} {
		if v, ok := attrs.Get(key); ok {
			parts = append(parts, fmt.Sprintf("%s=%s", strings.TrimPrefix(key, "precogx."), v.AsString()))
		}
	}
	return strings.Join(parts, " ")
}

// Log records as GenAI instrumentations emit them.

type testRecord struct {
	eventName string
	attrs     map[string]any
	body      string
}

var (
	userMessageEvent = testRecord{eventName: "gen_ai.user.message", attrs: map[string]any{
		"gen_ai.system": "openai",
	}, body: `{"content":"Weather in Paris?"}`}
	// Older SDKs put the event name in an attribute.
	choiceEventAttr = testRecord{attrs: map[string]any{
		"event.name":    "gen_ai.choice",
		"gen_ai.system": "openai",
	}, body: `{"index":0,"message":{"content":"It is rainy."}}`}
	appLog = testRecord{attrs: map[string]any{
		"code.function.name": "place_order",
		"gen_ai.agent.name":  "weather-agent",
	}, body: "order placed"}
)

func (r testRecord) with(attrs map[string]any) testRecord {
	merged := make(map[string]any, len(r.attrs)+len(attrs))
	for k, v := range r.attrs {
		merged[k] = v
	}
	for k, v := range attrs {
		merged[k] = v
	}
	return testRecord{eventName: r.eventName, attrs: merged, body: r.body}
}

type testLogResource struct {
	attrs   map[string]any
	records []testRecord
}

func newLogs(resources ...testLogResource) plog.Logs {
	ld := plog.NewLogs()
	for _, r := range resources {
		rl := ld.ResourceLogs().AppendEmpty()
		_ = rl.Resource().Attributes().FromRaw(r.attrs)
		sl := rl.ScopeLogs().AppendEmpty()
		for _, rec := range r.records {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetEventName(rec.eventName)
			lr.Body().SetStr(rec.body)
			_ = lr.Attributes().FromRaw(rec.attrs)
		}
	}
	return ld
}

// summarizeLogs lists what is left, one line per record ("service: body
// stamps") and one per empty scope or resource.
func summarizeLogs(ld plog.Logs) []string {
	var out []string
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		res := serviceOf(rl.Resource())
		if rl.ScopeLogs().Len() == 0 {
			out = append(out, res+": no scopes")
		}
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			if lrs.Len() == 0 {
				out = append(out, res+": empty scope")
			}
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				out = append(out, fmt.Sprintf("%s: %s %s", res, lr.Body().AsString(), stamps(lr.Attributes())))
			}
		}
	}
	return out
}
