package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"
	"strings"
)

// toolExecution is what a tool-execution span recorded (rule R5).
type toolExecution struct {
	id, name   string
	args       any
	result     any
	convention string
}

// toolIOKeys lists, in R5 precedence, where each convention puts the
// arguments and the result of a tool execution. Schemas (tool.parameters,
// tool.json_schema) are never read as arguments.
var toolIOKeys = [...]struct{ args, result, convention string }{
	{"gen_ai.tool.call.arguments", "gen_ai.tool.call.result", convOTel},
	{"input.value", "output.value", convOpenInference},
	{"ai.toolCall.args", "ai.toolCall.result", convVercel},
	{"ai.toolCall.input", "ai.toolCall.output", convVercel},
	{"tool_arguments", "tool_response", convPydantic},
	{"spring.ai.tool.call.arguments", "spring.ai.tool.call.result", convSpringAI},
	{"gcp.vertex.agent.tool_call_args", "gcp.vertex.agent.tool_response", convADK},
	{"traceloop.entity.input", "traceloop.entity.output", convOpenLLMetry},
	{"langfuse.observation.input", "langfuse.observation.output", convLangfuse},
	{"mlflow.spanInputs", "mlflow.spanOutputs", convMLflow},
	{"gen_ai.prompt", "gen_ai.completion", convLangSmith},
}

// extractTool reads a tool-execution span.
func extractTool(v *spanView) toolExecution {
	var t toolExecution
	for _, k := range [...]string{"gen_ai.tool.name", "tool.name", "ai.toolCall.name", "spring.ai.tool.definition.name", "traceloop.entity.name"} {
		if t.name = identString(v.attrs, k); t.name != "" {
			break
		}
	}
	if t.name == "" {
		t.name = toolNameFromSpanName(v.span.Name())
	}
	for _, k := range [...]string{"gen_ai.tool.call.id", "tool.id", "tool_call.id", "ai.toolCall.id", "spring.ai.tool.call.id"} {
		if t.id = identString(v.attrs, k); t.id != "" {
			break
		}
	}
	for _, io := range toolIOKeys {
		if t.args == nil {
			if a := v.raw(io.args); a != nil {
				t.args = a
				if io.args == "traceloop.entity.input" {
					t.args = traceloopToolArgs(a)
				}
				if t.convention == "" {
					t.convention = io.convention
				}
			}
		}
		if t.result == nil {
			if r := v.raw(io.result); r != nil {
				t.result = r
				if t.convention == "" {
					t.convention = io.convention
				}
			}
		}
	}
	if t.args == nil || t.result == nil {
		toolFromEvents(v, &t)
	}
	if t.convention == "" {
		t.convention = convOTel
		if v.has("spring.ai.kind") {
			t.convention = convSpringAI
		}
	}
	return t
}

// toolNameFromSpanName reads "execute_tool get_weather" and "get_weather.tool".
func toolNameFromSpanName(name string) string {
	if rest, ok := strings.CutPrefix(name, "execute_tool "); ok {
		return strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutSuffix(name, ".tool"); ok {
		return rest
	}
	return name
}

// traceloopToolArgs turns a recorded call {"args": [...], "kwargs": {...}}
// into the keyword arguments when there are no positional ones.
func traceloopToolArgs(a any) any {
	s, ok := a.(string)
	if !ok {
		return a
	}
	m, ok := decodeString(s).(map[string]any)
	if !ok {
		return a
	}
	args, _ := m["args"].([]any)
	if kwargs, ok := m["kwargs"].(map[string]any); ok && len(args) == 0 {
		return kwargs
	}
	return a
}

// encodeParams renders tool arguments as the JSON object PrecogX expects: a
// JSON-object string is used as is, a JSON-string literal is unwrapped once,
// anything else is wrapped as {"value": ...} (a JSON-array string decoded
// first); absent arguments are {}.
func encodeParams(v any) json.RawMessage {
	switch t := v.(type) {
	case nil:
		return json.RawMessage("{}")
	case string:
		s := strings.TrimSpace(strings.ToValidUTF8(t, "\uFFFD"))
		if s == "" {
			return json.RawMessage("{}")
		}
		if s[0] == '{' && json.Valid([]byte(s)) && !nestingExceeds(s, maxDepth) {
			return json.RawMessage(s)
		}
		if s[0] == '"' || s[0] == '[' {
			switch inner, _ := decodeJSON(s); x := inner.(type) {
			case string:
				return encodeParams(x)
			case []any:
				return wrapParams(x)
			}
		}
		return wrapParams(t)
	case map[string]any:
		if s := compactJSON(t); s != "" {
			return json.RawMessage(s)
		}
	}
	return wrapParams(v)
}

func wrapParams(v any) json.RawMessage {
	s := compactJSON(map[string]any{"value": v})
	if s == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(s)
}

// resultString renders a tool result: strings as they are (a JSON string
// literal unwrapped), anything else JSON-encoded.
func resultString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		if strings.HasPrefix(strings.TrimSpace(t), `"`) {
			if inner, ok := decodeJSON(t); ok {
				if s, ok := inner.(string); ok {
					return s
				}
			}
		}
		return t
	}
	return asText(v)
}

// toolFromEvents reads the span events of Strands tool spans: per-message
// gen_ai.tool.message (arguments in `content`) and gen_ai.choice (result
// blocks in `message`), or gen_ai.client.inference.operation.details.
func toolFromEvents(v *spanView, t *toolExecution) {
	events := v.span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		attrs := ev.Attributes()
		switch ev.Name() {
		case "gen_ai.tool.message":
			if val, ok := attrs.Get("content"); ok && t.args == nil {
				t.args = toAny(val, 0)
			}
		case eventChoice:
			if val, ok := attrs.Get("message"); ok && t.result == nil {
				t.result = resultValue(decodedAny(val))
			}
		case eventOperationDetails:
			c := otelMessages(attrs)
			for _, m := range c.input {
				if len(m.calls) > 0 && t.args == nil {
					t.args = m.calls[0].args
				}
			}
			for _, m := range c.output {
				if len(m.results) > 0 && t.result == nil {
					t.result = m.results[0].result
				} else if len(m.text) > 0 && t.result == nil {
					t.result = strings.Join(m.text, "\n")
				}
			}
		default:
			continue
		}
		if t.convention == "" && (t.args != nil || t.result != nil) {
			t.convention = convOTel
			if v.isStrands() {
				t.convention = convStrands
			}
		}
	}
}
