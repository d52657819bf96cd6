package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"
	"strings"
)

// toolExecution is what a tool-execution span recorded (rule R5).
type toolExecution struct {
	id, name   string
	args       value
	result     value
	convention string
}

// toolIOKeys lists, in R5 precedence, where each convention puts the
// arguments and the result of a tool execution. Schemas (tool.parameters,
// tool.json_schema) are never read as arguments.
var toolIOKeys = [...]struct {
	args, result attrKey
	convention   string
}{
	{kGenAIToolCallArguments, kGenAIToolCallResult, convOTel},
	{kInputValue, kOutputValue, convOpenInference},
	{kAIToolCallArgs, kAIToolCallResult, convVercel},
	{kAIToolCallInput, kAIToolCallOutput, convVercel},
	{kToolArguments, kToolResponse, convPydantic},
	{kSpringAIToolCallArguments, kSpringAIToolCallResult, convSpringAI},
	{kGCPVertexAgentToolCallArgs, kGCPVertexAgentToolResponse, convADK},
	{kTraceloopEntityInput, kTraceloopEntityOutput, convOpenLLMetry},
	{kLangfuseObservationInput, kLangfuseObservationOutput, convLangfuse},
	{kMLflowSpanInputs, kMLflowSpanOutputs, convMLflow},
	{kGenAIPrompt, kGenAICompletion, convLangSmith},
}

var (
	toolNameKeys = [...]attrKey{kGenAIToolName, kToolName, kAIToolCallName, kSpringAIToolDefinitionName, kTraceloopEntityName}
	toolIDKeys   = [...]attrKey{kGenAIToolCallID, kToolID, kToolCallID, kAIToolCallID, kSpringAIToolCallID}
)

// extractTool reads a tool-execution span.
func extractTool(v *spanView) toolExecution {
	var t toolExecution
	attrs := v.load()
	if t.name = attrs.first(toolNameKeys[:]); t.name == "" {
		t.name = toolNameFromSpanName(v.span.Name())
	}
	t.id = attrs.first(toolIDKeys[:])
	for _, io := range toolIOKeys {
		if t.args.isNil() {
			if a := v.raw(io.args); !a.isNil() {
				t.args = a
				if io.args == kTraceloopEntityInput {
					t.args = traceloopToolArgs(a)
				}
				if t.convention == "" {
					t.convention = io.convention
				}
			}
		}
		if t.result.isNil() {
			if r := v.raw(io.result); !r.isNil() {
				t.result = r
				if t.convention == "" {
					t.convention = io.convention
				}
			}
		}
	}
	if t.args.isNil() || t.result.isNil() {
		toolFromEvents(v, &t)
	}
	if t.convention == "" {
		t.convention = convOTel
		if v.has(kSpringAIKind) {
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
func traceloopToolArgs(a value) value {
	if !a.isString() {
		return a
	}
	m := a.t.decodeString(a.str())
	if !m.isObject() {
		return a
	}
	args := m.field("args")
	if kwargs := m.field("kwargs"); kwargs.isObject() && (!args.isArray() || args.len() == 0) {
		return kwargs
	}
	return a
}

// appendParams appends tool arguments as the JSON object PrecogX expects:
// a JSON-object string is used as is, a JSON-string literal is unwrapped
// once, anything else is wrapped as {"value": ...} (a JSON-array string
// decoded first); absent arguments are {}.
func appendParams(dst []byte, v value) []byte {
	switch v.kind() {
	case vNull:
		return append(dst, "{}"...)
	case vString:
		s := strings.TrimSpace(strings.ToValidUTF8(v.str(), "\uFFFD"))
		if s == "" {
			return append(dst, "{}"...)
		}
		switch s[0] {
		case '{':
			mark := len(v.t.nodes)
			_, ok := v.t.parseJSON(s) // valid, and within the nesting bound
			v.t.nodes = v.t.nodes[:mark]
			if ok {
				return append(dst, s...)
			}
		case '"', '[':
			switch inner, _ := v.t.decodeJSON(s); inner.kind() {
			case vString:
				return appendParams(dst, inner)
			case vArray:
				return appendWrapped(dst, inner)
			}
		}
		return appendWrapped(dst, v)
	case vObject:
		if b, ok := appendValue(dst, v, 0); ok {
			return b
		}
	}
	return appendWrapped(dst, v)
}

// appendWrapped appends {"value": v}, or {} when v cannot be encoded.
func appendWrapped(dst []byte, v value) []byte {
	b, ok := appendValue(append(dst, `{"value":`...), v, 0)
	if !ok {
		return append(dst, "{}"...)
	}
	return append(b, '}')
}

// encodeParams returns the parameters of appendParams on their own.
func encodeParams(v value) json.RawMessage { return appendParams(nil, v) }

// resultString renders a tool result: strings as they are (a JSON string
// literal unwrapped), anything else JSON-encoded.
func resultString(v value) string {
	switch v.kind() {
	case vNull:
		return ""
	case vString:
		s := v.str()
		if strings.HasPrefix(strings.TrimSpace(s), `"`) {
			if inner, ok := v.t.decodeJSON(s); ok && inner.isString() {
				return inner.str()
			}
		}
		return s
	}
	return v.asText()
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
			if val, ok := attrs.Get("content"); ok && t.args.isNil() {
				t.args = v.t.fromPdata(val, 0)
			}
		case eventChoice:
			if val, ok := attrs.Get("message"); ok && t.result.isNil() {
				t.result = resultValue(v.t.decoded(val))
			}
		case eventOperationDetails:
			var set attrSet
			set.reset(attrs, v.t)
			c := otelMessages(v.t, &set)
			for _, m := range c.input {
				if m.calls.n > 0 && t.args.isNil() {
					t.args = m.calls.at(0).args
				}
			}
			for _, m := range c.output {
				if m.results.n > 0 && t.result.isNil() {
					t.result = m.results.at(0).result
				} else if m.text.n > 0 && t.result.isNil() {
					t.result = v.t.newString(joinTexts(&m.text))
				}
			}
		default:
			continue
		}
		if t.convention == "" && (!t.args.isNil() || !t.result.isNil()) {
			t.convention = convOTel
			if v.isStrands() {
				t.convention = convStrands
			}
		}
	}
}
