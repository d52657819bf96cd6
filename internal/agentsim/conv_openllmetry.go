package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// OpenLLMetry / Traceloop legacy attributes (section 2): the SDK's
// {name}.workflow / {name}.agent / {name}.tool decorator spans with
// traceloop.entity.input/output, and the openai / anthropic instrumentation's
// {provider}.chat spans with flattened gen_ai.prompt.{i}.* and
// gen_ai.completion.{i}.*. The SDK's span processor stamps association
// properties and the workflow name on every span started in the workflow,
// HTTP and database spans included.

const (
	scopeTraceloop    = "traceloop.tracer"
	traceloopWorkflow = "handle_chat"
)

func traceloopLLMScope(p Provider) string {
	return "opentelemetry.instrumentation." + p.Name
}

func emitOpenLLMetry(ctx context.Context, e *emitter, t *turn) []trace.SpanContext {
	a, p := e.agent, e.agent.Provider
	stamp := []attribute.KeyValue{
		attribute.String("traceloop.association.properties.session_id", t.sessionID),
		attribute.String("traceloop.association.properties.user_id", t.userID),
		attribute.String("traceloop.workflow.name", traceloopWorkflow),
	}
	wctx, workflow := e.start(ctx, scopeTraceloop, traceloopWorkflow+".workflow", trace.SpanKindInternal,
		append([]attribute.KeyValue{
			attribute.String("traceloop.span.kind", "workflow"),
			attribute.String("traceloop.entity.name", traceloopWorkflow),
			attribute.String("traceloop.entity.input", fmt.Sprintf(`{"args":[],"kwargs":{"message":%s,"user_id":%s}}`, jsonText(t.prompt), jsonText(t.userID))),
			attribute.String("traceloop.entity.output", jsonText(map[string]string{"reply": t.answer()})),
		}, stamp...)...)
	e.advance(time.Millisecond)
	e.loadHistory(wctx, stamp...)

	// The Python SDK also propagates the agent name below the agent span.
	agentStamp := append(append([]attribute.KeyValue(nil), stamp...), attribute.String("gen_ai.agent.name", a.ID))
	actx, agent := e.start(wctx, scopeTraceloop, a.ID+".agent", trace.SpanKindInternal,
		append([]attribute.KeyValue{
			attribute.String("traceloop.span.kind", "agent"),
			attribute.String("traceloop.entity.name", a.ID),
			attribute.String("traceloop.entity.path", traceloopWorkflow),
			attribute.String("traceloop.entity.input", fmt.Sprintf(`{"args":[%s],"kwargs":{}}`, jsonText(t.prompt))),
			attribute.String("traceloop.entity.output", jsonText(t.answer())),
		}, agentStamp...)...)
	e.advance(time.Millisecond)

	llm := make([]trace.SpanContext, len(t.steps))
	for i, s := range t.steps {
		attrs := []attribute.KeyValue{
			attribute.String("llm.request.type", "chat"),
			attribute.String("gen_ai.system", p.Name),
			attribute.String("gen_ai.request.model", p.Model),
			attribute.String("gen_ai.response.model", p.ResponseModel),
			attribute.String("gen_ai.response.id", s.responseID),
			attribute.Float64("gen_ai.request.temperature", 0.2),
			attribute.String("traceloop.entity.path", traceloopWorkflow+"."+a.ID),
		}
		attrs = append(attrs, traceloopPrompt(a, t, i)...)
		attrs = append(attrs, traceloopCompletion(p, s)...)
		for j, c := range t.calls() {
			key := fmt.Sprintf("llm.request.functions.%d.", j)
			attrs = append(attrs,
				attribute.String(key+"name", c.name),
				attribute.String(key+"description", c.description),
				attribute.String(key+"parameters", c.schema))
		}
		if t.stream {
			attrs = append(attrs, attribute.Bool("llm.is_streaming", true))
		} else {
			attrs = append(attrs,
				attribute.Int("gen_ai.usage.input_tokens", s.inTokens),
				attribute.Int("gen_ai.usage.output_tokens", s.outTokens),
				attribute.Int("llm.usage.total_tokens", s.inTokens+s.outTokens))
		}
		attrs = append(attrs, agentStamp...)
		llm[i] = e.modelCall(actx, s, llmSpan{
			scope: traceloopLLMScope(p), name: p.Name + ".chat", kind: trace.SpanKindClient,
			attrs: attrs, stamp: agentStamp,
		})

		for _, c := range s.calls {
			e.toolExecution(actx, scopeTraceloop, c.name+".tool", c, append([]attribute.KeyValue{
				attribute.String("traceloop.span.kind", "tool"),
				attribute.String("traceloop.entity.name", c.name),
				attribute.String("traceloop.entity.path", traceloopWorkflow+"."+a.ID),
				attribute.String("gen_ai.tool.name", c.name),
				attribute.String("traceloop.entity.input", `{"args":[],"kwargs":`+c.args+`}`),
				attribute.String("traceloop.entity.output", jsonText(c.result)),
			}, agentStamp...), agentStamp...)
		}
	}
	e.end(agent, time.Millisecond)
	e.end(workflow, time.Millisecond)
	return llm
}

// traceloopPrompt flattens the messages sent in step i into gen_ai.prompt.{i}.*.
func traceloopPrompt(a Agent, t *turn, i int) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	n := 0
	msg := func(role, content string) string {
		key := fmt.Sprintf("gen_ai.prompt.%d.", n)
		n++
		attrs = append(attrs, attribute.String(key+"role", role))
		if content != "" {
			attrs = append(attrs, attribute.String(key+"content", content))
		}
		return key
	}
	msg("system", a.System)
	for _, h := range t.history {
		msg("user", h.prompt)
		msg("assistant", h.answer)
	}
	msg("user", t.prompt)
	for _, prev := range t.steps[:i] {
		key := msg("assistant", prev.text)
		for j, c := range prev.calls {
			tc := fmt.Sprintf("%stool_calls.%d.", key, j)
			attrs = append(attrs,
				attribute.String(tc+"id", c.id),
				attribute.String(tc+"name", c.name),
				attribute.String(tc+"arguments", c.args))
		}
		for _, c := range prev.calls {
			key := msg("tool", c.result)
			attrs = append(attrs, attribute.String(key+"tool_call_id", c.id))
		}
	}
	return attrs
}

// traceloopCompletion flattens a step's output into gen_ai.completion.0.*.
func traceloopCompletion(p Provider, s step) []attribute.KeyValue {
	const key = "gen_ai.completion.0."
	reason := p.StopReason
	if len(s.calls) > 0 {
		reason = p.ToolReason
	}
	attrs := []attribute.KeyValue{
		attribute.String(key+"role", "assistant"),
		attribute.String(key+"finish_reason", reason),
	}
	if s.text != "" {
		attrs = append(attrs, attribute.String(key+"content", s.text))
	}
	for j, c := range s.calls {
		tc := fmt.Sprintf("%stool_calls.%d.", key, j)
		attrs = append(attrs,
			attribute.String(tc+"id", c.id),
			attribute.String(tc+"name", c.name),
			attribute.String(tc+"arguments", c.args))
	}
	return attrs
}
