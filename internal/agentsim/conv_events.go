package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Older OpenTelemetry GenAI semantic conventions (section 1.1, 1.5): chat
// CLIENT spans with gen_ai.system and the content in span events, no agent or
// tool spans (the application runs the tool itself). Two eras:
//   - 1.26-1.27: events gen_ai.content.prompt / gen_ai.content.completion
//     whose gen_ai.prompt / gen_ai.completion attribute is a JSON string of
//     messages;
//   - 1.28-1.36: one event per message (gen_ai.system.message,
//     gen_ai.user.message, gen_ai.assistant.message, gen_ai.tool.message,
//     gen_ai.choice), here in the span-event form with the body fields as
//     attributes.
//
// Turns with tool calls use the per-message form, the only one that defines
// tool calls; other turns alternate between the two.

const scopeEvents = "opentelemetry.instrumentation.openai_v2"

type eventToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type eventMessage struct {
	Role      string          `json:"role,omitempty"`
	Content   string          `json:"content,omitempty"`
	ToolCalls []eventToolCall `json:"tool_calls,omitempty"`
}

func eventToolCalls(s step) []eventToolCall {
	var out []eventToolCall
	for _, c := range s.calls {
		tc := eventToolCall{ID: c.id, Type: "function"}
		tc.Function.Name, tc.Function.Arguments = c.name, c.args
		out = append(out, tc)
	}
	return out
}

func emitOTelGenAIEvents(ctx context.Context, e *emitter, t *turn) []trace.SpanContext {
	p := e.agent.Provider
	e.loadHistory(ctx)
	perMessage := len(t.calls()) > 0 || t.seq%2 == 1

	llm := make([]trace.SpanContext, len(t.steps))
	for i, s := range t.steps {
		reason := "stop"
		if len(s.calls) > 0 {
			reason = "tool_calls"
		}
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.system", p.Name),
			attribute.String("gen_ai.request.model", p.Model),
			attribute.String("gen_ai.response.model", p.ResponseModel),
			attribute.String("gen_ai.response.id", s.responseID),
			attribute.StringSlice("gen_ai.response.finish_reasons", []string{reason}),
			attribute.Float64("gen_ai.request.temperature", 0.2),
			attribute.String("server.address", p.Host),
		}
		if !t.stream {
			attrs = append(attrs,
				attribute.Int("gen_ai.usage.input_tokens", s.inTokens),
				attribute.Int("gen_ai.usage.output_tokens", s.outTokens))
		}
		var events []spanEvent
		if perMessage {
			events = messageEvents(e.agent, t, i, reason)
		} else {
			events = contentEvents(e.agent, t, i)
		}
		llm[i] = e.modelCall(ctx, s, llmSpan{scope: scopeEvents, name: "chat " + p.Model, kind: trace.SpanKindClient, attrs: attrs, events: events})

		for _, c := range s.calls {
			e.toolBackend(ctx, c)
			e.advance(c.latency)
		}
	}
	e.advance(time.Millisecond)
	return llm
}

// contentEvents are the 1.26-1.27 prompt and completion events of step i.
func contentEvents(a Agent, t *turn, i int) []spanEvent {
	prompt := []eventMessage{{Role: "system", Content: a.System}}
	for _, h := range t.history {
		prompt = append(prompt, eventMessage{Role: "user", Content: h.prompt}, eventMessage{Role: "assistant", Content: h.answer})
	}
	prompt = append(prompt, eventMessage{Role: "user", Content: t.prompt})
	s := t.steps[i]
	return []spanEvent{
		{"gen_ai.content.prompt", []attribute.KeyValue{attribute.String("gen_ai.prompt", jsonText(prompt))}},
		{"gen_ai.content.completion", []attribute.KeyValue{attribute.String("gen_ai.completion",
			jsonText([]eventMessage{{Role: "assistant", Content: s.text, ToolCalls: eventToolCalls(s)}}))}},
	}
}

// messageEvents are the 1.28-1.36 per-message events of step i.
func messageEvents(a Agent, t *turn, i int, reason string) []spanEvent {
	system := attribute.String("gen_ai.system", a.Provider.Name)
	var events []spanEvent
	add := func(name string, attrs ...attribute.KeyValue) {
		events = append(events, spanEvent{name, append([]attribute.KeyValue{system}, attrs...)})
	}
	add("gen_ai.system.message", attribute.String("content", a.System))
	for _, h := range t.history {
		add("gen_ai.user.message", attribute.String("content", h.prompt))
		add("gen_ai.assistant.message", attribute.String("content", h.answer))
	}
	add("gen_ai.user.message", attribute.String("content", t.prompt))
	for _, prev := range t.steps[:i] {
		attrs := []attribute.KeyValue{attribute.String("tool_calls", jsonText(eventToolCalls(prev)))}
		if prev.text != "" {
			attrs = append(attrs, attribute.String("content", prev.text))
		}
		add("gen_ai.assistant.message", attrs...)
		for _, c := range prev.calls {
			add("gen_ai.tool.message", attribute.String("content", c.result), attribute.String("id", c.id))
		}
	}
	s := t.steps[i]
	add("gen_ai.choice",
		attribute.Int("index", 0),
		attribute.String("finish_reason", reason),
		attribute.String("message", jsonText(eventMessage{Role: "assistant", Content: s.text, ToolCalls: eventToolCalls(s)})))
	return events
}
