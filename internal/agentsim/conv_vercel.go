package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"encoding/json"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Vercel AI SDK legacy ai.* spans with ai 5 JSON shapes (section 4.1): a root
// ai.generateText (ai.streamText) operation with the caller's prompt and the
// final text, one ai.generateText.doGenerate (ai.streamText.doStream) per
// provider call with the full prompt, and ai.toolCall children of the root.
// gen_ai.system carries the provider id with its API suffix (openai.chat).

const scopeVercel = "ai"

type vercelPart struct {
	Type       string          `json:"type"`
	Text       string          `json:"text,omitempty"`
	ToolCallID string          `json:"toolCallId,omitempty"`
	ToolName   string          `json:"toolName,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     *vercelOutput   `json:"output,omitempty"`
}

type vercelOutput struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type vercelMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"` // a string for system messages, parts otherwise
}

func vercelText(role, text string) vercelMessage {
	return vercelMessage{Role: role, Content: []vercelPart{{Type: "text", Text: text}}}
}

// vercelConversation is the history and the new user message, as the caller
// passes them in messages.
func vercelConversation(t *turn) []vercelMessage {
	var msgs []vercelMessage
	for _, h := range t.history {
		msgs = append(msgs, vercelText("user", h.prompt), vercelText("assistant", h.answer))
	}
	return append(msgs, vercelText("user", t.prompt))
}

// vercelPromptMessages is ai.prompt.messages of step i: the standardized
// prompt the SDK hands the provider.
func vercelPromptMessages(a Agent, t *turn, i int) []vercelMessage {
	msgs := append([]vercelMessage{{Role: "system", Content: a.System}}, vercelConversation(t)...)
	for _, prev := range t.steps[:i] {
		var parts, results []vercelPart
		if prev.text != "" {
			parts = append(parts, vercelPart{Type: "text", Text: prev.text})
		}
		for _, c := range prev.calls {
			parts = append(parts, vercelPart{Type: "tool-call", ToolCallID: c.id, ToolName: c.name, Input: json.RawMessage(c.args)})
			results = append(results, vercelPart{Type: "tool-result", ToolCallID: c.id, ToolName: c.name,
				Output: &vercelOutput{Type: "text", Value: c.result}})
		}
		msgs = append(msgs, vercelMessage{Role: "assistant", Content: parts}, vercelMessage{Role: "tool", Content: results})
	}
	return msgs
}

// vercelCallerPrompt is ai.prompt of the root span: what the caller passed.
func vercelCallerPrompt(a Agent, t *turn) string {
	if len(t.history) == 0 {
		return jsonText(struct {
			System string `json:"system"`
			Prompt string `json:"prompt"`
		}{a.System, t.prompt})
	}
	return jsonText(struct {
		System   string          `json:"system"`
		Messages []vercelMessage `json:"messages"`
	}{a.System, vercelConversation(t)})
}

func emitVercelAI(ctx context.Context, e *emitter, t *turn) []trace.SpanContext {
	a, p := e.agent, e.agent.Provider
	e.loadHistory(ctx)

	op, callOp := "ai.generateText", "ai.generateText.doGenerate"
	if t.stream {
		op, callOp = "ai.streamText", "ai.streamText.doStream"
	}
	common := func(operationID string) []attribute.KeyValue {
		return []attribute.KeyValue{
			attribute.String("operation.name", operationID+" "+a.ID),
			attribute.String("ai.operationId", operationID),
			attribute.String("ai.telemetry.functionId", a.ID),
			attribute.String("resource.name", a.ID),
			attribute.String("ai.telemetry.metadata.sessionId", t.sessionID),
			attribute.String("ai.telemetry.metadata.userId", t.userID),
		}
	}

	rootAttrs := append(common(op),
		attribute.String("ai.model.id", p.Model),
		attribute.String("ai.model.provider", p.VercelID),
		attribute.Int("ai.settings.maxRetries", 2),
		attribute.String("ai.prompt", vercelCallerPrompt(a, t)),
		attribute.String("ai.response.text", t.answer()),
		attribute.String("ai.response.finishReason", "stop"),
	)
	if !t.stream {
		in, out := t.usage()
		rootAttrs = append(rootAttrs,
			attribute.Int("ai.usage.inputTokens", in),
			attribute.Int("ai.usage.outputTokens", out),
			attribute.Int("ai.usage.totalTokens", in+out))
	}
	rctx, root := e.start(ctx, scopeVercel, op, trace.SpanKindInternal, rootAttrs...)
	e.advance(time.Millisecond)

	var tools []string
	for _, c := range t.calls() {
		tools = append(tools, jsonText(struct {
			Type        string          `json:"type"`
			Name        string          `json:"name"`
			Description string          `json:"description"`
			InputSchema json.RawMessage `json:"inputSchema"`
		}{"function", c.name, c.description, json.RawMessage(c.schema)}))
	}

	llm := make([]trace.SpanContext, len(t.steps))
	for i, s := range t.steps {
		reason := "stop"
		if len(s.calls) > 0 {
			reason = "tool-calls"
		}
		attrs := append(common(callOp),
			attribute.String("ai.model.id", p.Model),
			attribute.String("ai.model.provider", p.VercelID),
			attribute.String("ai.prompt.messages", jsonText(vercelPromptMessages(a, t, i))),
			attribute.String("ai.response.finishReason", reason),
			attribute.String("ai.response.id", s.responseID),
			attribute.String("ai.response.model", p.ResponseModel),
			attribute.String("gen_ai.system", p.VercelID),
			attribute.String("gen_ai.request.model", p.Model),
			attribute.Float64("gen_ai.request.temperature", 0.2),
			attribute.String("gen_ai.response.id", s.responseID),
			attribute.String("gen_ai.response.model", p.ResponseModel),
			attribute.StringSlice("gen_ai.response.finish_reasons", []string{reason}),
		)
		if len(tools) > 0 {
			attrs = append(attrs,
				attribute.StringSlice("ai.prompt.tools", tools),
				attribute.String("ai.prompt.toolChoice", `{"type":"auto"}`))
		}
		if s.text != "" {
			attrs = append(attrs, attribute.String("ai.response.text", s.text))
		}
		if len(s.calls) > 0 {
			attrs = append(attrs, attribute.String("ai.response.toolCalls", vercelResponseToolCalls(s)))
		}
		if t.stream {
			attrs = append(attrs, attribute.Int64("ai.response.msToFirstChunk", (s.latency/4).Milliseconds()))
		} else {
			attrs = append(attrs,
				attribute.Int("ai.usage.inputTokens", s.inTokens),
				attribute.Int("ai.usage.outputTokens", s.outTokens),
				attribute.Int("gen_ai.usage.input_tokens", s.inTokens),
				attribute.Int("gen_ai.usage.output_tokens", s.outTokens))
		}
		llm[i] = e.modelCall(rctx, s, llmSpan{scope: scopeVercel, name: callOp, kind: trace.SpanKindInternal, attrs: attrs})

		for _, c := range s.calls {
			e.toolExecution(rctx, scopeVercel, "ai.toolCall", c, append(common("ai.toolCall"),
				attribute.String("ai.toolCall.name", c.name),
				attribute.String("ai.toolCall.id", c.id),
				attribute.String("ai.toolCall.args", c.args),
				attribute.String("ai.toolCall.result", jsonText(c.result)),
			))
		}
	}
	e.end(root, time.Millisecond)
	return llm
}

// vercelResponseToolCalls is ai.response.toolCalls: the provider's calls with
// their input as a JSON string.
func vercelResponseToolCalls(s step) string {
	type call struct {
		ToolCallID string `json:"toolCallId"`
		ToolName   string `json:"toolName"`
		Input      string `json:"input"`
	}
	calls := make([]call, len(s.calls))
	for i, c := range s.calls {
		calls[i] = call{c.id, c.name, c.args}
	}
	return jsonText(calls)
}
