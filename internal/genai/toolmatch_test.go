package genai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/fixtures"
)

// OpenAI Responses items carry an item id ("fc_...", "fco_...") beside the
// call_id that links a function call to its output; matching must use the
// call_id, or the result never reaches its call.
func TestResponsesAPIToolResultMatchesByCallID(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "weather-bot")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	trace := pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	step := func(id byte, input, output string) {
		s := spans.AppendEmpty()
		s.SetName("chat gpt-4o")
		s.SetTraceID(trace)
		s.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, id})
		s.Attributes().PutStr("gen_ai.operation.name", "chat")
		s.Attributes().PutStr("gen_ai.provider.name", "openai")
		s.Attributes().PutStr("gen_ai.input.messages", input)
		s.Attributes().PutStr("gen_ai.output.messages", output)
	}
	step(1, `[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]`,
		`[{"role":"assistant","parts":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"}]}]`)
	step(2, `[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},`+
		`{"role":"assistant","parts":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"}]},`+
		`{"role":"tool","parts":[{"type":"function_call_output","id":"fco_1","call_id":"call_1","output":"sunny, 22°C"}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"It is sunny."}]}]`)

	r := Convert(td, Options{})
	require.Len(t, r.Batches, 1)
	in := r.Batches[0].Interactions
	require.Len(t, in, 2)
	require.Len(t, in[0].ToolCalls, 1)
	assert.Equal(t, "get_weather", in[0].ToolCalls[0].ToolName)
	assert.JSONEq(t, `{"location":"Paris"}`, string(in[0].ToolCalls[0].Parameters))
	assert.Equal(t, "sunny, 22°C", in[0].ToolCalls[0].Result)
	assert.Equal(t, "It is sunny.", in[1].Response)
}

// An SDK instrumented alone records each model call as its own trace: the
// result fed back in the second call must still reach the first call's tool
// call, for the same agent only.
func TestToolResultMatchesAcrossTracesOfOneAgent(t *testing.T) {
	td := ptrace.NewTraces()
	call := func(service string, trace byte, input, output string) {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", service)
		s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetName("chat gpt-4o")
		s.SetTraceID(pcommon.TraceID{trace})
		s.SetSpanID(pcommon.SpanID{trace})
		s.Attributes().PutStr("gen_ai.operation.name", "chat")
		s.Attributes().PutStr("gen_ai.input.messages", input)
		s.Attributes().PutStr("gen_ai.output.messages", output)
	}
	const ask = `[{"role":"user","parts":[{"type":"text","content":"Weather?"}]}]`
	const request = `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_9f2","name":"get_weather","arguments":{"city":"Oslo"}}]}]`
	call("bot-a", 1, ask, request)
	call("bot-b", 2, ask, request) // another agent that happens to reuse the id
	call("bot-a", 3, `[{"role":"user","parts":[{"type":"text","content":"Weather?"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"call_9f2","response":"snow"}]}]`,
		`[{"role":"assistant","parts":[{"type":"text","content":"Snow."}]}]`)

	r := Convert(td, Options{})
	require.Len(t, r.Batches, 2)
	for _, b := range r.Batches {
		first := b.Interactions[0]
		require.Len(t, first.ToolCalls, 1, b.AgentID)
		want := map[string]string{"bot-a": "snow", "bot-b": ""}[b.AgentID]
		assert.Equal(t, want, first.ToolCalls[0].Result, b.AgentID)
	}
}

// The recorded JS instrumentations make one trace per model call; their tool
// rounds now carry the tool's result.
func TestRecordedToolRoundsCarryTheResult(t *testing.T) {
	for _, name := range []string{fixtures.TraceloopOpenAI, fixtures.OpenInferenceOpenAI} {
		r := Convert(fixtures.Recorded(t, name), Options{})
		var withResult int
		for _, b := range r.Batches {
			for _, in := range b.Interactions {
				for _, tc := range in.ToolCalls {
					assert.Contains(t, tc.Result, "sunny", "%s: %s", name, in.Metadata.SpanName)
					withResult++
				}
			}
		}
		assert.Positive(t, withResult, name)
	}
}
