package genai

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/benchcorpus"
)

// BenchmarkClassify reports the cost of classifying one span of a mixed
// corpus (every convention, plus HTTP/DB spans).
func BenchmarkClassify(b *testing.B) {
	spans := make([]ptrace.Span, len(classifyCases))
	for i, tc := range classifyCases {
		spans[i] = newSpan(b, tc.span, tc.attrs)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Classify(spans[i%len(spans)])
	}
}

// agentTrace builds an OTel GenAI agent run (invoke_agent, a chat step that
// calls a tool, the tool span, a final chat step) whose user text, tool
// result and answer are each about contentBytes/4 long. It returns the
// traces and the content bytes they carry.
func agentTrace(b *testing.B, contentBytes int) (ptrace.Traces, int64) {
	b.Helper()
	part := contentBytes / 4
	question := strings.Repeat("Which of our invoices are overdue? ", part/35+1)[:part]
	result := strings.Repeat(`{"invoice":"INV-2041","days":12},`, part/33+1)[:part]
	answer := strings.Repeat("Invoice INV-2041 is 12 days overdue. ", part/37+1)[:part]
	user := map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": question}}}
	call := map[string]any{"role": "assistant", "parts": []any{map[string]any{
		"type": "tool_call", "id": "call_1", "name": "list_invoices", "arguments": map[string]any{"status": "overdue"}}}}
	res := map[string]any{"role": "tool", "parts": []any{map[string]any{"type": "tool_call_response", "id": "call_1", "response": result}}}
	final := map[string]any{"role": "assistant", "parts": []any{map[string]any{"type": "text", "content": answer}}}
	js := func(v any) string { return compactJSON(fromGo(v)) }

	tb := newTraceBuilder(b, map[string]any{"service.name": "billing-agent", "deployment.environment.name": "prod"})
	chat := func(in, out []any) map[string]any {
		return map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
			"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20, "gen_ai.conversation.id": "conv_1",
			"gen_ai.system_instructions": `[{"type":"text","content":"You are a billing assistant."}]`,
			"gen_ai.input.messages":      js(in), "gen_ai.output.messages": js(out),
		}
	}
	agent := tb.add(b, pcommon.SpanID{}, "invoke_agent billing", map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "billing",
		"gen_ai.input.messages": js([]any{user}), "gen_ai.output.messages": js([]any{final}),
	})
	tb.add(b, agent, "chat gpt-4o", chat([]any{user}, []any{call}))
	tb.add(b, agent, "execute_tool list_invoices", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "list_invoices", "gen_ai.tool.call.id": "call_1",
		"gen_ai.tool.call.arguments": `{"status":"overdue"}`, "gen_ai.tool.call.result": result,
	})
	tb.add(b, agent, "chat gpt-4o", chat([]any{user, call, res}, []any{final}))
	tb.add(b, agent, "POST", map[string]any{"http.request.method": "POST", "server.address": "api.openai.com"})
	return tb.td, int64(len(question) + len(result) + len(answer))
}

// BenchmarkConvertAgentRun converts one agent run; SetBytes is the distinct
// content it carries (question, tool result, answer), which the spans repeat.
func BenchmarkConvertAgentRun(b *testing.B) {
	for _, size := range []struct {
		name  string
		bytes int
	}{{"1KiB", 1 << 10}, {"8KiB", 8 << 10}, {"64KiB", 64 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			td, n := agentTrace(b, size.bytes)
			if got := Convert(td, Options{}); len(got.Batches) != 1 || len(got.Batches[0].Interactions) != 2 {
				b.Fatalf("unexpected conversion: %+v", got)
			}
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				Convert(td, Options{MaxFieldBytes: 32 << 10})
			}
		})
	}
}

// BenchmarkConvert converts the LLM spans of the benchmark corpus: per
// content size all conventions in one batch, and at 1 KiB each
// convention's two model calls on their own. SetBytes is the string
// content of the spans.
func BenchmarkConvert(b *testing.B) {
	for _, size := range benchcorpus.Sizes {
		convs := []string{"all"}
		if size.Bytes == 1<<10 {
			convs = append(convs, benchcorpus.Conventions...)
		}
		for _, conv := range convs {
			b.Run(size.Name+"/"+conv, func(b *testing.B) {
				td := corpusLLMSpans(conv, size.Bytes)
				b.SetBytes(benchcorpus.ContentBytes(td))
				benchcorpus.PerSpan(b, td.SpanCount(), func(*benchcorpus.Meter) {
					Convert(td, Options{MaxFieldBytes: 128 << 10})
				})
			})
		}
	}
}

// corpusLLMSpans returns one convention's LLM spans, or every convention's ("all").
func corpusLLMSpans(conv string, bytes int) ptrace.Traces {
	if conv != "all" {
		return benchcorpus.LLMSpans(conv, bytes)
	}
	td := ptrace.NewTraces()
	for _, c := range benchcorpus.Conventions {
		benchcorpus.LLMSpans(c, bytes).ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return td
}
