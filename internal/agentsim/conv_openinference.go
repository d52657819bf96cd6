package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// OpenInference (section 3): an AGENT span with the user's input and the
// final answer in input.value / output.value, LLM children with flattened
// llm.input_messages / llm.output_messages (the raw request and response
// bodies in input.value / output.value), and TOOL children with the call's
// arguments and result. Context attributes (session.id, user.id, metadata)
// are copied onto every span created inside the context.

const scopeOIAgents = "openinference.instrumentation.openai_agents"

func oiLLMScope(p Provider) string { return "openinference.instrumentation." + p.Name }

// oiChatMessage is a message of the OpenAI-style request/response bodies
// OpenInference records verbatim in input.value / output.value.
type oiChatMessage struct {
	Role       string       `json:"role"`
	Content    *string      `json:"content"`
	ToolCalls  []oiToolCall `json:"tool_calls,omitempty"`
	ToolCallID string       `json:"tool_call_id,omitempty"`
}

type oiToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

func oiMessage(role, content string) oiChatMessage {
	return oiChatMessage{Role: role, Content: &content}
}

func oiAssistant(s step) oiChatMessage {
	m := oiChatMessage{Role: "assistant"}
	if s.text != "" {
		m.Content = &s.text
	}
	for _, c := range s.calls {
		tc := oiToolCall{ID: c.id, Type: "function"}
		tc.Function.Name, tc.Function.Arguments = c.name, c.args
		m.ToolCalls = append(m.ToolCalls, tc)
	}
	return m
}

// oiInput is the conversation sent in step i.
func oiInput(a Agent, t *turn, i int) []oiChatMessage {
	msgs := []oiChatMessage{oiMessage("system", a.System)}
	for _, h := range t.history {
		msgs = append(msgs, oiMessage("user", h.prompt), oiMessage("assistant", h.answer))
	}
	msgs = append(msgs, oiMessage("user", t.prompt))
	for _, prev := range t.steps[:i] {
		msgs = append(msgs, oiAssistant(prev))
		for _, c := range prev.calls {
			m := oiMessage("tool", c.result)
			m.ToolCallID = c.id
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// oiFlatten writes messages as llm.{input,output}_messages.{i}.message.*.
func oiFlatten(prefix string, msgs []oiChatMessage) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	for i, m := range msgs {
		key := fmt.Sprintf("%s.%d.message.", prefix, i)
		attrs = append(attrs, attribute.String(key+"role", m.Role))
		if m.Content != nil {
			attrs = append(attrs, attribute.String(key+"content", *m.Content))
		}
		if m.ToolCallID != "" {
			attrs = append(attrs, attribute.String(key+"tool_call_id", m.ToolCallID))
		}
		for j, tc := range m.ToolCalls {
			tk := fmt.Sprintf("%stool_calls.%d.tool_call.", key, j)
			attrs = append(attrs,
				attribute.String(tk+"id", tc.ID),
				attribute.String(tk+"function.name", tc.Function.Name),
				attribute.String(tk+"function.arguments", tc.Function.Arguments))
		}
	}
	return attrs
}

func emitOpenInference(ctx context.Context, e *emitter, t *turn) []trace.SpanContext {
	a, p := e.agent, e.agent.Provider
	session := []attribute.KeyValue{
		attribute.String("session.id", t.sessionID),
		attribute.String("user.id", t.userID),
	}
	ctxAttrs := append([]attribute.KeyValue{attribute.String("metadata", `{"tenant":"acme"}`)}, session...)
	e.loadHistory(ctx, session...)

	actx, agent := e.start(ctx, scopeOIAgents, a.ID, trace.SpanKindInternal, append([]attribute.KeyValue{
		attribute.String("openinference.span.kind", "AGENT"),
		attribute.String("agent.name", a.ID),
		attribute.String("graph.node.id", a.ID),
		attribute.String("input.value", t.prompt),
		attribute.String("input.mime_type", "text/plain"),
		attribute.String("output.value", t.answer()),
		attribute.String("output.mime_type", "text/plain"),
	}, ctxAttrs...)...)
	e.advance(time.Millisecond)

	var tools []json.RawMessage
	for _, c := range t.calls() {
		tools = append(tools, json.RawMessage(fmt.Sprintf(`{"type":"function","function":{"name":%s,"description":%s,"parameters":%s}}`,
			jsonText(c.name), jsonText(c.description), c.schema)))
	}

	llm := make([]trace.SpanContext, len(t.steps))
	for i, s := range t.steps {
		input := oiInput(a, t, i)
		output := []oiChatMessage{oiAssistant(s)}
		attrs := []attribute.KeyValue{
			attribute.String("openinference.span.kind", "LLM"),
			attribute.String("llm.system", p.Name),
			attribute.String("llm.provider", p.Name),
			attribute.String("llm.model_name", p.ResponseModel),
			attribute.String("llm.invocation_parameters", `{"temperature":0.2}`),
			attribute.String("input.value", oiRequestBody(p, input, tools, t.stream)),
			attribute.String("input.mime_type", "application/json"),
			attribute.String("output.value", oiResponseBody(p, s, output[0], t.stream)),
			attribute.String("output.mime_type", "application/json"),
		}
		attrs = append(attrs, oiFlatten("llm.input_messages", input)...)
		attrs = append(attrs, oiFlatten("llm.output_messages", output)...)
		for j, tool := range tools {
			attrs = append(attrs, attribute.String(fmt.Sprintf("llm.tools.%d.tool.json_schema", j), string(tool)))
		}
		if !t.stream {
			attrs = append(attrs,
				attribute.Int("llm.token_count.prompt", s.inTokens),
				attribute.Int("llm.token_count.completion", s.outTokens),
				attribute.Int("llm.token_count.total", s.inTokens+s.outTokens))
		}
		attrs = append(attrs, ctxAttrs...)
		llm[i] = e.modelCall(actx, s, llmSpan{
			scope: oiLLMScope(p), name: p.OISpanName, kind: trace.SpanKindInternal,
			attrs: attrs, stamp: session,
		})

		for _, c := range s.calls {
			e.toolExecution(actx, scopeOIAgents, c.name, c, append([]attribute.KeyValue{
				attribute.String("openinference.span.kind", "TOOL"),
				attribute.String("tool.name", c.name),
				attribute.String("tool.description", c.description),
				attribute.String("tool.parameters", c.schema),
				attribute.String("input.value", c.args),
				attribute.String("input.mime_type", "application/json"),
				attribute.String("output.value", c.result),
				attribute.String("output.mime_type", "text/plain"),
			}, ctxAttrs...))
		}
	}
	e.end(agent, time.Millisecond)
	return llm
}

func oiRequestBody(p Provider, msgs []oiChatMessage, tools []json.RawMessage, stream bool) string {
	return jsonText(struct {
		Model       string            `json:"model"`
		Messages    []oiChatMessage   `json:"messages"`
		Temperature float64           `json:"temperature"`
		Tools       []json.RawMessage `json:"tools,omitempty"`
		Stream      bool              `json:"stream,omitempty"`
	}{p.Model, msgs, 0.2, tools, stream})
}

func oiResponseBody(p Provider, s step, msg oiChatMessage, stream bool) string {
	reason := p.StopReason
	if len(s.calls) > 0 {
		reason = p.ToolReason
	}
	type choice struct {
		Index        int           `json:"index"`
		Message      oiChatMessage `json:"message"`
		FinishReason string        `json:"finish_reason"`
	}
	type usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	}
	body := struct {
		ID      string   `json:"id"`
		Object  string   `json:"object"`
		Model   string   `json:"model"`
		Choices []choice `json:"choices"`
		Usage   *usage   `json:"usage,omitempty"`
	}{ID: s.responseID, Object: "chat.completion", Model: p.ResponseModel, Choices: []choice{{0, msg, reason}}}
	if !stream {
		body.Usage = &usage{s.inTokens, s.outTokens, s.inTokens + s.outTokens}
	}
	return jsonText(body)
}
