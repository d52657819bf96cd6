package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"encoding/json"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// OpenTelemetry GenAI semantic conventions, current (section 1): an
// invoke_agent INTERNAL span holding the agent's input and final output,
// chat CLIENT children with the full history of each step, and execute_tool
// children of the agent span.

const (
	scopeOTelAgents = "opentelemetry.instrumentation.openai_agents"
	scopeOTelChat   = "opentelemetry.instrumentation.openai_v2"
)

// otelPart is one part of a message (gen-ai-input-messages.json).
type otelPart struct {
	Type      string          `json:"type"`
	Content   string          `json:"content,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Response  *string         `json:"response,omitempty"`
}

type otelMessage struct {
	Role         string     `json:"role"`
	Parts        []otelPart `json:"parts"`
	FinishReason string     `json:"finish_reason,omitempty"`
}

func otelText(role, text string) otelMessage {
	return otelMessage{Role: role, Parts: []otelPart{{Type: "text", Content: text}}}
}

// otelOutput is the output message of one step.
func otelOutput(s step) otelMessage {
	m := otelMessage{Role: "assistant", FinishReason: "stop"}
	if s.text != "" {
		m.Parts = append(m.Parts, otelPart{Type: "text", Content: s.text})
	}
	for _, c := range s.calls {
		m.Parts = append(m.Parts, otelPart{Type: "tool_call", ID: c.id, Name: c.name, Arguments: json.RawMessage(c.args)})
		m.FinishReason = "tool_call"
	}
	return m
}

// otelInput is the history sent in step i: earlier exchanges, the new user
// message, then each earlier step's tool calls and their results.
func otelInput(t *turn, i int) []otelMessage {
	var msgs []otelMessage
	for _, h := range t.history {
		msgs = append(msgs, otelText("user", h.prompt), otelText("assistant", h.answer))
	}
	msgs = append(msgs, otelText("user", t.prompt))
	for _, prev := range t.steps[:i] {
		msgs = append(msgs, otelOutput(prev))
		msgs[len(msgs)-1].FinishReason = ""
		for _, c := range prev.calls {
			result := c.result
			msgs = append(msgs, otelMessage{Role: "tool", Parts: []otelPart{{Type: "tool_call_response", ID: c.id, Response: &result}}})
		}
	}
	return msgs
}

func otelToolDefinitions(t *turn) string {
	type def struct {
		Type        string          `json:"type"`
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	}
	var defs []def
	for _, c := range t.calls() {
		defs = append(defs, def{"function", c.name, c.description, json.RawMessage(c.schema)})
	}
	return jsonText(defs)
}

func emitOTelGenAI(ctx context.Context, e *emitter, t *turn) []trace.SpanContext {
	a, p := e.agent, e.agent.Provider
	instructions := jsonText([]otelPart{{Type: "text", Content: a.System}})
	e.loadHistory(ctx)

	agentAttrs := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "invoke_agent"),
		attribute.String("gen_ai.agent.name", a.ID),
		attribute.String("gen_ai.conversation.id", t.sessionID),
		attribute.String("gen_ai.request.model", p.Model),
		attribute.String("gen_ai.system_instructions", instructions),
		attribute.String("gen_ai.input.messages", jsonText([]otelMessage{otelText("user", t.prompt)})),
		attribute.String("gen_ai.output.messages", jsonText([]otelMessage{otelOutput(t.steps[len(t.steps)-1])})),
	}
	if !t.stream {
		in, out := t.usage()
		agentAttrs = append(agentAttrs, attribute.Int("gen_ai.usage.input_tokens", in), attribute.Int("gen_ai.usage.output_tokens", out))
	}
	actx, agent := e.start(ctx, scopeOTelAgents, "invoke_agent "+a.ID, trace.SpanKindInternal, agentAttrs...)
	e.advance(time.Millisecond)

	llm := make([]trace.SpanContext, len(t.steps))
	for i, s := range t.steps {
		out := otelOutput(s)
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.provider.name", p.Name),
			attribute.String("gen_ai.request.model", p.Model),
			attribute.String("gen_ai.response.model", p.ResponseModel),
			attribute.String("gen_ai.response.id", s.responseID),
			attribute.StringSlice("gen_ai.response.finish_reasons", []string{out.FinishReason}),
			attribute.Float64("gen_ai.request.temperature", 0.2),
			attribute.String("gen_ai.conversation.id", t.sessionID),
			attribute.String("gen_ai.agent.name", a.ID),
			attribute.String("server.address", p.Host),
			attribute.Int("server.port", 443),
			attribute.String("gen_ai.system_instructions", instructions),
			attribute.String("gen_ai.input.messages", jsonText(otelInput(t, i))),
			attribute.String("gen_ai.output.messages", jsonText([]otelMessage{out})),
		}
		if len(t.calls()) > 0 {
			attrs = append(attrs, attribute.String("gen_ai.tool.definitions", otelToolDefinitions(t)))
		}
		if t.stream {
			attrs = append(attrs, attribute.Bool("gen_ai.request.stream", true),
				attribute.Float64("gen_ai.response.time_to_first_chunk", (s.latency/4).Seconds()))
		} else {
			attrs = append(attrs, attribute.Int("gen_ai.usage.input_tokens", s.inTokens), attribute.Int("gen_ai.usage.output_tokens", s.outTokens))
		}
		llm[i] = e.modelCall(actx, s, llmSpan{scope: scopeOTelChat, name: "chat " + p.Model, kind: trace.SpanKindClient, attrs: attrs})

		for _, c := range s.calls {
			e.toolExecution(actx, scopeOTelAgents, "execute_tool "+c.name, c, []attribute.KeyValue{
				attribute.String("gen_ai.operation.name", "execute_tool"),
				attribute.String("gen_ai.tool.name", c.name),
				attribute.String("gen_ai.tool.call.id", c.id),
				attribute.String("gen_ai.tool.type", "function"),
				attribute.String("gen_ai.tool.description", c.description),
				attribute.String("gen_ai.tool.call.arguments", c.args),
				attribute.String("gen_ai.tool.call.result", c.result),
			})
		}
	}
	e.end(agent, time.Millisecond)
	return llm
}
