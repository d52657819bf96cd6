package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Conventions named in metadata.convention.
const (
	convOTel          = "otel_genai"
	convOpenLLMetry   = "openllmetry"
	convOpenInference = "openinference"
	convVercel        = "vercel_ai"
	convPydantic      = "pydantic_ai"
	convLangSmith     = "langsmith"
	convLangfuse      = "langfuse"
	convStrands       = "strands"
	convADK           = "adk"
	convSpringAI      = "spring_ai"
	convMLflow        = "mlflow"
)

// Span event names that carry content.
const (
	eventOperationDetails  = "gen_ai.client.inference.operation.details"
	eventContentPrompt     = "gen_ai.content.prompt"
	eventContentCompletion = "gen_ai.content.completion"
	eventChoice            = "gen_ai.choice"
)

// spanView is one span with its context and what the conversion learned of it.
type spanView struct {
	span    ptrace.Span
	attrs   pcommon.Map
	res     pcommon.Resource
	scope   pcommon.InstrumentationScope
	ref     SpanRef
	parent  SpanRef
	kind    Kind
	agentID string
	order   int
}

// str returns a scalar attribute as text ("" when absent or structured).
func (v *spanView) str(key string) string { return attrString(v.attrs, key) }

// decoded returns an attribute with string values JSON-decoded (nil when absent).
func (v *spanView) decoded(key string) any {
	val, ok := v.attrs.Get(key)
	if !ok {
		return nil
	}
	return decodedAny(val)
}

// raw returns an attribute with strings left as they are (nil when absent).
func (v *spanView) raw(key string) any {
	val, ok := v.attrs.Get(key)
	if !ok {
		return nil
	}
	return toAny(val, 0)
}

func (v *spanView) has(key string) bool {
	_, ok := v.attrs.Get(key)
	return ok
}

// isStrands reports whether the span comes from AWS Strands Agents, whose
// gen_ai.system names the framework rather than the model provider.
func (v *spanView) isStrands() bool {
	return v.str("gen_ai.system") == "strands-agents" || v.str("gen_ai.provider.name") == "strands-agents" ||
		strings.HasPrefix(v.scope.Name(), "strands")
}

func attrString(m pcommon.Map, key string) string {
	val, ok := m.Get(key)
	if !ok {
		return ""
	}
	switch val.Type() {
	case pcommon.ValueTypeStr:
		return val.Str()
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		return val.AsString()
	}
	return ""
}

// extracted is the content of an LLM or agent span and the convention that supplied it.
type extracted struct {
	conversation
	convention string
}

// contentSource reads one convention's content from a span.
type contentSource func(v *spanView, fl flattened) (conversation, string)

// contentSources are tried in the precedence of rules R2/R3/R12: the first
// source with input supplies the input, the first with output the output.
var contentSources = [...]contentSource{
	otelAttrsContent,
	operationDetailsContent,
	openInferenceContent,
	openLLMetryContent,
	vercelContent,
	messageEventsContent,
	pydanticEventsContent,
	contentEventsContent,
	adkContent,
	pydanticAgentContent,
	ioContent("langfuse.observation.input", "langfuse.observation.output", convLangfuse),
	ioContent("gen_ai.prompt", "gen_ai.completion", convLangSmith),
	ioContent("mlflow.spanInputs", "mlflow.spanOutputs", convMLflow),
	traceloopEntityContent,
	ioContent("input.value", "output.value", convOpenInference),
}

// extractContent reads the prompt, response and requested tool calls of an
// LLM or agent span.
func extractContent(v *spanView) extracted {
	fl := unflatten(v.attrs)
	var out extracted
	systemConv := ""
	for _, src := range contentSources {
		c, conv := src(v, fl)
		supplied := false
		if !out.hasInput() && c.hasInput() {
			out.input = c.input
			supplied = true
		}
		if !out.hasOutput() && c.hasOutput() {
			out.output = c.output
			supplied = true
		}
		if out.system == "" && c.system != "" {
			out.system, systemConv = c.system, conv
		}
		if supplied && out.convention == "" {
			out.convention = conv
		}
		if out.hasInput() && out.hasOutput() {
			break
		}
	}
	if out.convention == "" {
		out.convention = systemConv
	}
	return out
}

// otelAttrsContent: gen_ai.input.messages / gen_ai.output.messages /
// gen_ai.system_instructions, JSON text or structured (semconv >= 1.37,
// OpenLLMetry OTel-aligned, Vercel v7, pydantic-ai >= v2).
func otelAttrsContent(v *spanView, _ flattened) (conversation, string) {
	return otelMessages(v.attrs), convOTel
}

func otelMessages(attrs pcommon.Map) conversation {
	var c conversation
	if val, ok := attrs.Get("gen_ai.input.messages"); ok {
		c.input = parseMessages(decodedAny(val), roleUser)
	}
	if val, ok := attrs.Get("gen_ai.output.messages"); ok {
		c.output = parseMessages(decodedAny(val), roleAssistant)
	}
	if val, ok := attrs.Get("gen_ai.system_instructions"); ok {
		c.system = systemText(decodedAny(val))
	}
	return c
}

// operationDetailsContent: the same keys on a
// gen_ai.client.inference.operation.details span event (Strands).
func operationDetailsContent(v *spanView, _ flattened) (conversation, string) {
	conv := convOTel
	if v.isStrands() {
		conv = convStrands
	}
	events := v.span.Events()
	for i := 0; i < events.Len(); i++ {
		if ev := events.At(i); ev.Name() == eventOperationDetails {
			return otelMessages(ev.Attributes()), conv
		}
	}
	return conversation{}, conv
}

// openInferenceContent: llm.input_messages / llm.output_messages flattened,
// completions API llm.prompts / llm.choices (flattened or string lists).
func openInferenceContent(v *spanView, fl flattened) (conversation, string) {
	var c conversation
	c.input = parseMessages(fl[flatOpenInfInput], roleUser)
	c.output = parseMessages(fl[flatOpenInfOutput], roleAssistant)
	if len(c.input) == 0 {
		if prompts := fl[flatOpenInfPrompts]; prompts != nil {
			c.input = parseMessages(prompts, roleUser)
		} else if list, ok := v.raw("llm.prompts").([]any); ok {
			c.input = parseMessages(list, roleUser)
		}
	}
	if len(c.output) == 0 {
		if choices := fl[flatOpenInfChoices]; choices != nil {
			c.output = parseMessages(choices, roleAssistant)
		}
	}
	return c, convOpenInference
}

// openLLMetryContent: gen_ai.prompt.{i}.* / gen_ai.completion.{i}.* (legacy flattened).
func openLLMetryContent(_ *spanView, fl flattened) (conversation, string) {
	return conversation{
		input:  parseMessages(fl[flatOpenLLMetryPrompt], roleUser),
		output: parseMessages(fl[flatOpenLLMetryCompletion], roleAssistant),
	}, convOpenLLMetry
}

// vercelContent: ai.prompt.messages (provider call) or ai.prompt (operation
// root: {system, prompt, messages}); ai.response.text|object, reasoning,
// toolCalls.
func vercelContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if v.has("ai.prompt.messages") {
		c.input = parseMessages(v.decoded("ai.prompt.messages"), roleUser)
	} else if v.has("ai.prompt") {
		c.input = parseMessages(v.decoded("ai.prompt"), roleUser)
	}
	answer := message{role: roleAssistant, finish: v.str("ai.response.finishReason")}
	text := v.str("ai.response.text")
	if text == "" {
		text = asText(v.raw("ai.response.object"))
	}
	if text != "" {
		answer.text = []string{text}
	}
	if r := reasoningText(v.decoded("ai.response.reasoning")); r != "" {
		answer.reasoning = []string{r}
	} else if r := v.str("ai.response.reasoningText"); r != "" {
		answer.reasoning = []string{r}
	}
	if list, ok := v.decoded("ai.response.toolCalls").([]any); ok {
		for _, tc := range list {
			if call, ok := parseToolCall(tc); ok {
				answer.calls = append(answer.calls, call)
			}
		}
	}
	if answer.hasContent() {
		c.output = []message{answer}
	}
	return c, convVercel
}

// adkContent: Google ADK gcp.vertex.agent.llm_request (Gemini request with
// contents and config.system_instruction) and llm_response (LlmResponse).
func adkContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if req := v.decoded("gcp.vertex.agent.llm_request"); req != nil {
		c.input = parseMessages(req, roleUser)
	}
	if resp := v.decoded("gcp.vertex.agent.llm_response"); resp != nil {
		c.output = parseMessages(resp, roleAssistant)
	}
	return c, convADK
}

// pydanticAgentContent: pydantic-ai agent spans keep the whole run in
// pydantic_ai.all_messages (v2+) or all_messages_events (v1) and the answer
// in final_result.
func pydanticAgentContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if v.has("pydantic_ai.all_messages") {
		c.input = parseMessages(v.decoded("pydantic_ai.all_messages"), roleUser)
	} else if list, ok := v.decoded("all_messages_events").([]any); ok {
		for _, e := range list {
			if body, ok := e.(map[string]any); ok {
				name, _ := body["event.name"].(string)
				addEventMessage(&c, name, body)
			}
		}
		c.input = append(c.input, c.output...)
		c.output = nil
	}
	if v.has("final_result") {
		c.output = parseMessages(v.decoded("final_result"), roleAssistant)
	} else if len(c.input) > 0 {
		// The run's last messages are the answer.
		c.output = (&conversation{output: c.input}).answer()
	}
	return c, convPydantic
}

// ioContent reads a vendor's input/output attribute pair.
func ioContent(inKey, outKey, conv string) contentSource {
	return func(v *spanView, _ flattened) (conversation, string) {
		var c conversation
		if in := v.decoded(inKey); in != nil {
			c.input = parseMessages(in, roleUser)
		}
		if out := v.decoded(outKey); out != nil {
			c.output = parseMessages(out, roleAssistant)
		}
		return c, conv
	}
}

// traceloopEntityContent: OpenLLMetry decorator spans record the function's
// arguments ({"args": [...], "kwargs": {...}}) and return value.
func traceloopEntityContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if in := v.decoded("traceloop.entity.input"); in != nil {
		c.input = parseMessages(unwrapCallArgs(in), roleUser)
	}
	if out := v.decoded("traceloop.entity.output"); out != nil {
		c.output = parseMessages(out, roleAssistant)
	}
	return c, convOpenLLMetry
}

// unwrapCallArgs returns the single argument of a recorded function call
// ({"args": ["Paris"], "kwargs": {}} -> "Paris"); other values unchanged.
func unwrapCallArgs(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	args, hasArgs := m["args"]
	kwargs, hasKwargs := m["kwargs"]
	if !hasArgs && !hasKwargs {
		return v
	}
	var values []any
	if list, ok := args.([]any); ok {
		values = append(values, list...)
	}
	if km, ok := kwargs.(map[string]any); ok {
		for _, x := range km {
			values = append(values, x)
		}
	}
	if len(values) == 1 {
		return values[0]
	}
	return v
}
