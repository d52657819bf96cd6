package genai

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// traceBuilder assembles small traces for rule tests.
type traceBuilder struct {
	td    ptrace.Traces
	spans ptrace.SpanSlice
	trace pcommon.TraceID
	next  byte
}

func newTraceBuilder(t testing.TB, resAttrs map[string]any) *traceBuilder {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	require.NoError(t, rs.Resource().Attributes().FromRaw(resAttrs))
	return &traceBuilder{td: td, spans: rs.ScopeSpans().AppendEmpty().Spans(), trace: pcommon.TraceID{0xab, 1}}
}

// add appends a span under parent (zero: root) and returns its id.
func (b *traceBuilder) add(t testing.TB, parent pcommon.SpanID, name string, attrs map[string]any) pcommon.SpanID {
	t.Helper()
	b.next++
	id := pcommon.SpanID{0xcd, b.next}
	span := b.spans.AppendEmpty()
	span.SetTraceID(b.trace)
	span.SetSpanID(id)
	span.SetParentSpanID(parent)
	span.SetName(name)
	span.SetStartTimestamp(pcommon.Timestamp(1_800_000_000_000_000_000 + int64(b.next)*1_000_000))
	span.SetEndTimestamp(pcommon.Timestamp(1_800_000_000_000_000_000 + int64(b.next)*1_000_000 + 5_000_000))
	require.NoError(t, span.Attributes().FromRaw(attrs))
	return id
}

func otelChat(input, output string) map[string]any {
	return map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.input.messages": input, "gen_ai.output.messages": output,
	}
}

const (
	userHi    = `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`
	answerYo  = `[{"role":"assistant","parts":[{"type":"text","content":"Yo"}]}]`
	answerHey = `[{"role":"assistant","parts":[{"type":"text","content":"Hey"}]}]`
)

func onlyInteractions(t *testing.T, res Result) []string {
	t.Helper()
	var out []string
	for _, b := range res.Batches {
		for _, in := range b.Interactions {
			out = append(out, in.Metadata.Kind+":"+in.Metadata.SpanName+":"+in.Prompt+"|"+in.Response)
		}
	}
	return out
}

func TestDedupWrapperAndAgent(t *testing.T) {
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	agent := b.add(t, pcommon.SpanID{}, "invoke_agent a", map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a", "session.id": "s-1",
		"gen_ai.input.messages": userHi, "gen_ai.output.messages": answerYo,
	})
	wrapper := b.add(t, agent, "ChatOpenAI", map[string]any{
		"openinference.span.kind": "LLM", "llm.input_messages.0.message.role": "user",
		"llm.input_messages.0.message.content": "Hi", "llm.output_messages.0.message.content": "Yo",
		"llm.token_count.prompt": 3, "llm.token_count.completion": 1, "user.id": "u-1",
	})
	b.add(t, wrapper, "chat gpt-4o", otelChat(userHi, answerYo))
	res := Convert(b.td, Options{})
	checkResult(t, b.td, res)

	require.Len(t, res.Batches, 1)
	require.Equal(t, []string{"llm:chat gpt-4o:Hi|Yo"}, onlyInteractions(t, res))
	md := res.Batches[0].Interactions[0].Metadata
	assert.Equal(t, int64(3), md.InputTokens, "tokens taken from the wrapper")
	assert.Equal(t, "u-1", md.UserID, "user taken from the wrapper")
	assert.Equal(t, "s-1", md.SessionID)
	assert.Equal(t, "a", md.AgentName)
	assert.Len(t, res.Batches[0].Sources[0], 3)
}

func TestDedupKeepsAgentWithOwnContent(t *testing.T) {
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	agent := b.add(t, pcommon.SpanID{}, "invoke_agent a", map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.input.messages": userHi, "gen_ai.output.messages": answerHey,
	})
	b.add(t, agent, "chat gpt-4o", otelChat(userHi, answerYo))
	// A same-content LLM span in another trace is not a descendant.
	b.trace = pcommon.TraceID{0xab, 2}
	b.add(t, pcommon.SpanID{}, "chat gpt-4o", otelChat(userHi, answerHey))
	res := Convert(b.td, Options{})
	checkResult(t, b.td, res)
	assert.Equal(t, []string{
		"agent:invoke_agent a:Hi|Hey", "llm:chat gpt-4o:Hi|Yo", "llm:chat gpt-4o:Hi|Hey",
	}, onlyInteractions(t, res))
}

func TestToolFolding(t *testing.T) {
	call := `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"lookup","arguments":"{\"q\":1}"},` +
		`{"type":"tool_call","id":"c2","name":"lookup","arguments":7}]}]`
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	agent := b.add(t, pcommon.SpanID{}, "invoke_agent", map[string]any{"gen_ai.operation.name": "invoke_agent"})
	b.add(t, agent, "chat gpt-4o", otelChat(userHi, call))
	b.add(t, agent, "execute_tool lookup", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", "gen_ai.tool.call.id": "c1",
		"gen_ai.tool.call.result": map[string]any{"rows": 2},
	})
	// c2's result only comes back in the next model call's input (pydantic-ai uses "result").
	b.add(t, agent, "chat gpt-4o", otelChat(
		`[{"role":"user","parts":[{"type":"text","content":"Hi"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"c2","result":{"ok":true}}]}]`,
		answerYo))
	// A tool span whose call is not in the batch stands alone.
	b.add(t, agent, "execute_tool other", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": "zz", "gen_ai.tool.call.arguments": "[1,2]",
	})
	res := Convert(b.td, Options{})
	checkResult(t, b.td, res)

	ins := res.Batches[0].Interactions
	require.Len(t, ins, 3)
	require.Len(t, ins[0].ToolCalls, 2)
	assert.JSONEq(t, `{"q":1}`, string(ins[0].ToolCalls[0].Parameters))
	assert.Equal(t, `{"rows":2}`, ins[0].ToolCalls[0].Result)
	assert.JSONEq(t, `{"value":7}`, string(ins[0].ToolCalls[1].Parameters))
	assert.Equal(t, `{"ok":true}`, ins[0].ToolCalls[1].Result)
	assert.Len(t, res.Batches[0].Sources[0], 2, "chat span and its tool span")

	lone := ins[2]
	assert.Equal(t, "tool", lone.Metadata.Kind)
	assert.Empty(t, lone.Prompt)
	assert.Equal(t, "other", lone.ToolCalls[0].ToolName)
	assert.JSONEq(t, `{"value":[1,2]}`, string(lone.ToolCalls[0].Parameters))
	assert.Equal(t, map[DropReason]int{DropNoContent: 1}, res.Dropped, "the empty agent span")
}

func TestDropsAndProcessorAttributes(t *testing.T) {
	b := newTraceBuilder(t, nil) // no service.name
	b.add(t, pcommon.SpanID{}, "chat gpt-4o", otelChat(userHi, answerYo))
	b.add(t, pcommon.SpanID{}, "GET /", map[string]any{"http.request.method": "GET"})
	b.add(t, pcommon.SpanID{}, "anything", map[string]any{
		AttrKind: "llm", AttrAgentID: "billing", "gen_ai.input.messages": userHi,
	})
	b.add(t, pcommon.SpanID{}, "chat gpt-4o", map[string]any{AttrAgentID: "billing", "gen_ai.operation.name": "chat"})
	b.add(t, pcommon.SpanID{}, "execute_tool x", map[string]any{"gen_ai.operation.name": "execute_tool"})
	res := Convert(b.td, Options{})
	checkResult(t, b.td, res)
	assert.Equal(t, map[DropReason]int{DropNoAgentID: 2, DropNotLLM: 1, DropNoContent: 1}, res.Dropped)
	require.Len(t, res.Batches, 1)
	assert.Equal(t, "billing", res.Batches[0].AgentID)
	assert.Equal(t, "Hi", res.Batches[0].Interactions[0].Prompt)
}

func TestBatchesPerAgentInFirstSeenOrder(t *testing.T) {
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	for _, agent := range []string{"b", "a", "b"} {
		b.add(t, pcommon.SpanID{}, "chat", map[string]any{
			AttrAgentID: agent, "gen_ai.operation.name": "chat", "gen_ai.input.messages": agent,
		})
	}
	res := Convert(b.td, Options{})
	require.Len(t, res.Batches, 2)
	assert.Equal(t, "b", res.Batches[0].AgentID)
	assert.Len(t, res.Batches[0].Interactions, 2)
	assert.Equal(t, "a", res.Batches[1].AgentID)
}

func TestPromptIsTrailingUserTurn(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		prompt string
		system string
	}{
		{"history", `[{"role":"system","content":"S"},{"role":"user","content":"old"},{"role":"assistant","content":"a"},{"role":"user","content":"new"}]`, "new", "S"},
		{"tool result after the question", `[{"role":"user","parts":[{"type":"text","content":"q"}]},{"role":"tool","parts":[{"type":"tool_call_response","id":"1","response":"r"}]}]`, "q", ""},
		{"gemini function response in a user turn", `{"contents":[{"role":"user","parts":[{"text":"q"}]},{"role":"user","parts":[{"function_response":{"name":"f","response":{}}}]}],"config":{"system_instruction":"S"}}`, "q", "S"},
		{"anthropic blocks", `{"system":"S","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`, "a\nb", "S"},
		{"langchain types", `[{"type":"system","content":"S"},{"type":"human","content":"q"}]`, "q", "S"},
		{"plain text", `just text`, "just text", ""},
		{"truncated JSON kept raw", `[{"role":"user","content":"cut of`, `[{"role":"user","content":"cut of`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
			b.add(t, pcommon.SpanID{}, "chat", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.input.messages": tt.input})
			res := Convert(b.td, Options{})
			require.Len(t, res.Batches, 1)
			in := res.Batches[0].Interactions[0]
			assert.Equal(t, tt.prompt, in.Prompt)
			assert.Equal(t, tt.system, in.Metadata.SystemPrompt)
		})
	}
}

func TestFlattenedIndexesSortNumerically(t *testing.T) {
	attrs := map[string]any{"llm.request.type": "chat"}
	for i := range 12 {
		role := "assistant"
		if i%2 == 1 {
			role = "user"
		}
		attrs["gen_ai.prompt."+strconv.Itoa(i)+".role"] = role
		attrs["gen_ai.prompt."+strconv.Itoa(i)+".content"] = "m" + strconv.Itoa(i)
	}
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	b.add(t, pcommon.SpanID{}, "openai.chat", attrs)
	res := Convert(b.td, Options{})
	assert.Equal(t, "m11", res.Batches[0].Interactions[0].Prompt)
}

func TestEncodeParams(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `{}`},
		{"", `{}`},
		{`{"a": 1}`, `{"a": 1}`},
		{`"{\"a\":1}"`, `{"a":1}`},
		{`{"a": `, `{"value":"{\"a\": "}`},
		{"plain", `{"value":"plain"}`},
		{`[1,2]`, `{"value":[1,2]}`},
		{`[1,`, `{"value":"[1,"}`},
		{map[string]any{"b": 1, "a": []any{true}}, `{"a":[true],"b":1}`},
		{[]any{"x"}, `{"value":["x"]}`},
		{json.Number("12"), `{"value":12}`},
		{"bad \xff", `{"value":"bad \ufffd"}`},
	}
	for _, tt := range tests {
		got := encodeParams(fromGo(tt.in))
		assert.JSONEq(t, tt.want, string(got), "%#v", tt.in)
	}
}

func TestResultString(t *testing.T) {
	assert.Equal(t, "", resultString(fromGo(nil)))
	assert.Equal(t, "rainy", resultString(fromGo(`"rainy"`)))
	assert.Equal(t, `{"a":1}`, resultString(fromGo(`{"a":1}`)))
	assert.Equal(t, `{"a":1}`, resultString(fromGo(map[string]any{"a": json.Number("1")})))
	assert.Equal(t, "42", resultString(fromGo(int64(42))))
}

func TestDecodeString(t *testing.T) {
	assert.Equal(t, "x", decodeString(`"x"`))
	assert.Equal(t, map[string]any{"a": json.Number("1")}, decodeString(`"{\"a\":1}"`), "double-encoded")
	assert.Equal(t, "plain", decodeString("plain"))
	assert.Equal(t, `{"a":`, decodeString(`{"a":`), "truncated JSON stays raw")
	assert.Equal(t, `{} {}`, decodeString(`{} {}`), "trailing data stays raw")
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	assert.Equal(t, deep, decodeString(deep), "nesting beyond the bound stays raw")
}

func TestTruncateCutsOnRuneBoundary(t *testing.T) {
	assert.Equal(t, "ab", cut("ab€", 4))
	assert.Equal(t, "ab€", cut("ab€", 5))
	assert.Equal(t, "", cut("€", 2))
}

func TestNormaliseProvider(t *testing.T) {
	for in, want := range map[string]string{
		"openai.chat": "openai", "anthropic.messages": "anthropic", "Anthropic": "anthropic", "az.ai.openai": "azure.ai.openai",
		"azure.ai.openai": "azure.ai.openai", "gcp.vertex.agent": "", "strands-agents": "", "xai": "x_ai",
		"MistralAI": "mistral_ai", "vertexai": "gcp.vertex_ai", `"openai"`: "openai", "aws.bedrock": "aws.bedrock",
	} {
		assert.Equal(t, want, normaliseProvider(in), in)
	}
}

// TestConvertSurvivesHostileValues replaces every attribute of every fixture
// with values of the wrong type, malformed or deeply nested JSON, and checks
// the conversion still holds its invariants.
func TestConvertSurvivesHostileValues(t *testing.T) {
	deepJSON := strings.Repeat(`{"a":[`, 5000) + strings.Repeat(`]}`, 5000)
	hostile := []func(pcommon.Value){
		func(v pcommon.Value) { v.SetInt(-1) },
		func(v pcommon.Value) { v.SetDouble(1e308) },
		func(v pcommon.Value) { v.SetBool(true) },
		func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xff, 0}) },
		func(v pcommon.Value) { v.SetStr("") },
		func(v pcommon.Value) { v.SetStr("{") },
		func(v pcommon.Value) { v.SetStr(`[{"role":1,"parts":{"type":[]},"content":{"x":null}}]`) },
		func(v pcommon.Value) { v.SetStr(`"\"\\\"x\\\"\""`) },
		func(v pcommon.Value) { v.SetStr(`[null,1,"a",[],{"tool_calls":[1,{"function":7}]}]`) },
		func(v pcommon.Value) { v.SetStr(deepJSON) },
		func(v pcommon.Value) {
			m := v.SetEmptyMap()
			for range 200 {
				m = m.PutEmptyMap("a")
			}
		},
		func(v pcommon.Value) {
			s := v.SetEmptySlice()
			s.AppendEmpty().SetEmptyMap().PutStr("role", "user")
			s.AppendEmpty().SetInt(3)
		},
	}
	for _, path := range fixtureFiles(t) {
		base := readFixture(t, path)
		keys := map[string]bool{}
		forEachSpan(base, func(s ptrace.Span) {
			s.Attributes().Range(func(k string, _ pcommon.Value) bool { keys[k] = true; return true })
		})
		for k := range keys {
			for _, set := range hostile {
				td := ptrace.NewTraces()
				base.CopyTo(td)
				forEachSpan(td, func(s ptrace.Span) {
					if v, ok := s.Attributes().Get(k); ok {
						set(v)
					}
					for i := 0; i < s.Events().Len(); i++ {
						s.Events().At(i).Attributes().Range(func(_ string, v pcommon.Value) bool { set(v); return true })
					}
				})
				checkResult(t, td, Convert(td, Options{MaxFieldBytes: 64}))
			}
		}
	}
}

func TestConvertHugeValue(t *testing.T) {
	huge := strings.Repeat("é", 5<<20) // 10 MiB
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	b.add(t, pcommon.SpanID{}, "chat", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.input.messages": huge, "gen_ai.output.messages": `"` + huge,
	})
	res := Convert(b.td, Options{MaxFieldBytes: 1 << 20})
	checkResult(t, b.td, res)
	in := res.Batches[0].Interactions[0]
	assert.Len(t, in.Prompt, 1<<20)
	assert.Equal(t, []string{"prompt", "response"}, in.Metadata.Truncated)
}

func forEachSpan(td ptrace.Traces, fn func(ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(spans.At(k))
			}
		}
	}
}

func TestToolFoldingByName(t *testing.T) {
	calls := `[{"role":"assistant","parts":[{"type":"tool_call","name":"search","arguments":{"q":"a"}},` +
		`{"type":"tool_call","id":"c9","name":"fetch","arguments":{"u":"x"}}]}]`
	b := newTraceBuilder(t, map[string]any{"service.name": "svc"})
	b.add(t, pcommon.SpanID{}, "chat", otelChat(userHi, calls))
	// Call without id, tool span with id: matched by name.
	b.add(t, pcommon.SpanID{}, "execute_tool search", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": "t1", "gen_ai.tool.call.result": "found",
	})
	// Both have ids and they differ: not the same call, so it stands alone.
	b.add(t, pcommon.SpanID{}, "execute_tool fetch", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.id": "other", "gen_ai.tool.call.result": "page",
	})
	res := Convert(b.td, Options{})
	checkResult(t, b.td, res)
	ins := res.Batches[0].Interactions
	require.Len(t, ins, 2)
	assert.Equal(t, "found", ins[0].ToolCalls[0].Result)
	assert.Empty(t, ins[0].ToolCalls[1].Result)
	assert.Equal(t, "tool", ins[1].Metadata.Kind)
	assert.Equal(t, "fetch", ins[1].ToolCalls[0].ToolName)
}

// decodeString decodes an attribute string into interface values.
func decodeString(s string) any { return toGo((&tree{}).decodeString(s)) }

func TestAppendTimestampMatchesFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 120000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for range 10000 {
		times = append(times, time.Unix(0, r.Int64N(1<<62)).UTC())
	}
	for _, ts := range times {
		assert.Equal(t, ts.Format(timestampLayout), string(appendTimestamp(nil, ts)), "%v", ts)
	}
}
