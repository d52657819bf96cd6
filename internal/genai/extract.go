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
	t       *tree
	attrs   attrSet // read on first use, with the flattened lists
	flat    flattened
	flatGen uint32 // the tree generation flat was built in
	hasFlat bool   // the span has flattened keys
	res     *resourceView
	scope   pcommon.InstrumentationScope
	ref     SpanRef
	parent  SpanRef
	kind    Kind
	agentID string
	order   int
}

// resourceView is a resource whose attributes the spans under it share.
type resourceView struct {
	res   pcommon.Resource
	attrs attrSet
}

// load reads the span's attributes, once, in one pass. The flattened
// lists are nodes of the tree, which is reset after each span: a view read
// while converting another span (an ancestor) gathers them again when its
// own turn comes, from its flattened keys alone.
func (v *spanView) load() *attrSet {
	switch {
	case !v.attrs.read:
		v.attrs.load(v.gatherFlat)
	case v.hasFlat && v.flatGen != v.t.gen:
		v.flat = flattened{}
		v.attrs.m.Range(func(k string, val pcommon.Value) bool {
			v.flat.gather(v.t, k, val)
			return true
		})
	default:
		return &v.attrs
	}
	v.flat.finish(v.t)
	v.flatGen = v.t.gen
	return &v.attrs
}

func (v *spanView) gatherFlat(k string, val pcommon.Value) {
	if v.flat.gather(v.t, k, val) {
		v.hasFlat = true
	}
}

// str returns a scalar attribute as text ("" when absent or structured).
func (v *spanView) str(k attrKey) string { return v.load().str(k) }

// ident returns a name or id attribute, trimmed and unquoted.
func (v *spanView) ident(k attrKey) string { return v.load().ident(k) }

// decodedValue returns an attribute with string values JSON-decoded (absent
// when the span has none).
func (v *spanView) decodedValue(k attrKey) value {
	val, ok := v.load().get(k)
	if !ok {
		return value{}
	}
	return v.t.decoded(val)
}

// raw returns an attribute with strings left as they are (absent when the
// span has none).
func (v *spanView) raw(k attrKey) value {
	val, ok := v.load().get(k)
	if !ok {
		return value{}
	}
	return v.t.fromPdata(val, 0)
}

func (v *spanView) has(k attrKey) bool {
	_, ok := v.load().get(k)
	return ok
}

// isStrands reports whether the span comes from AWS Strands Agents, whose
// gen_ai.system names the framework rather than the model provider.
func (v *spanView) isStrands() bool {
	return v.str(kGenAISystem) == "strands-agents" || v.str(kGenAIProviderName) == "strands-agents" ||
		strings.HasPrefix(v.scope.Name(), "strands")
}

// extracted is the content of an LLM or agent span and the convention that supplied it.
type extracted struct {
	conversation
	convention string
}

// contentSource reads one convention's content from a span; fl holds the
// span's flattened lists.
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
	ioContent(kLangfuseObservationInput, kLangfuseObservationOutput, convLangfuse),
	ioContent(kGenAIPrompt, kGenAICompletion, convLangSmith),
	ioContent(kMLflowSpanInputs, kMLflowSpanOutputs, convMLflow),
	traceloopEntityContent,
	ioContent(kInputValue, kOutputValue, convOpenInference),
}

// extractContent reads the prompt, response and requested tool calls of an
// LLM or agent span.
func extractContent(v *spanView) extracted {
	var out extracted
	systemConv := ""
	v.load()
	for _, src := range contentSources {
		c, conv := src(v, v.flat)
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
	return otelMessages(v.t, v.load()), convOTel
}

func otelMessages(t *tree, attrs *attrSet) conversation {
	var c conversation
	if val, ok := attrs.get(kGenAIInputMessages); ok {
		c.input = readMessages(t.decoded(val), roleUser)
	}
	if val, ok := attrs.get(kGenAIOutputMessages); ok {
		c.output = readMessages(t.decoded(val), roleAssistant)
	}
	if val, ok := attrs.get(kGenAISystemInstructions); ok {
		c.system = systemText(t.decoded(val))
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
			var attrs attrSet
			attrs.reset(ev.Attributes(), v.t)
			return otelMessages(v.t, &attrs), conv
		}
	}
	return conversation{}, conv
}

// openInferenceContent: llm.input_messages / llm.output_messages flattened,
// completions API llm.prompts / llm.choices (flattened or string lists).
func openInferenceContent(v *spanView, fl flattened) (conversation, string) {
	var c conversation
	c.input = readMessages(fl[flatOpenInfInput], roleUser)
	c.output = readMessages(fl[flatOpenInfOutput], roleAssistant)
	if len(c.input) == 0 {
		if prompts := fl[flatOpenInfPrompts]; prompts.present() {
			c.input = readMessages(prompts, roleUser)
		} else if list := v.raw(kLLMPrompts); list.isArray() {
			c.input = readMessages(list, roleUser)
		}
	}
	if len(c.output) == 0 {
		if choices := fl[flatOpenInfChoices]; choices.present() {
			c.output = readMessages(choices, roleAssistant)
		}
	}
	return c, convOpenInference
}

// openLLMetryContent: gen_ai.prompt.{i}.* / gen_ai.completion.{i}.* (legacy flattened).
func openLLMetryContent(_ *spanView, fl flattened) (conversation, string) {
	return conversation{
		input:  readMessages(fl[flatOpenLLMetryPrompt], roleUser),
		output: readMessages(fl[flatOpenLLMetryCompletion], roleAssistant),
	}, convOpenLLMetry
}

// vercelContent: ai.prompt.messages (provider call) or ai.prompt (operation
// root: {system, prompt, messages}); ai.response.text|object, reasoning,
// toolCalls.
func vercelContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if v.has(kAIPromptMessages) {
		c.input = readMessages(v.decodedValue(kAIPromptMessages), roleUser)
	} else if v.has(kAIPrompt) {
		c.input = readMessages(v.decodedValue(kAIPrompt), roleUser)
	}
	answer := message{role: roleAssistant, finish: v.str(kAIResponseFinishReason)}
	text := v.str(kAIResponseText)
	if text == "" {
		text = v.raw(kAIResponseObject).asText()
	}
	if text != "" {
		answer.text.add(text)
	}
	if r := reasoningText(v.decodedValue(kAIResponseReasoning)); r != "" {
		answer.reasoning.add(r)
	} else if r := v.str(kAIResponseReasoningText); r != "" {
		answer.reasoning.add(r)
	}
	if list := v.decodedValue(kAIResponseToolCalls); list.isArray() {
		for tc := list.first(); tc.present(); tc = tc.next() {
			if call, ok := parseToolCall(tc); ok {
				answer.calls.add(call)
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
	if req := v.decodedValue(kGCPVertexAgentLLMRequest); !req.isNil() {
		c.input = readMessages(req, roleUser)
	}
	if resp := v.decodedValue(kGCPVertexAgentLLMResponse); !resp.isNil() {
		c.output = readMessages(resp, roleAssistant)
	}
	return c, convADK
}

// pydanticAgentContent: pydantic-ai agent spans keep the whole run in
// pydantic_ai.all_messages (v2+) or all_messages_events (v1) and the answer
// in final_result.
func pydanticAgentContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if v.has(kPydanticAIAllMessages) {
		c.input = readMessages(v.decodedValue(kPydanticAIAllMessages), roleUser)
	} else if list := v.decodedValue(kAllMessagesEvents); list.isArray() {
		for e := list.first(); e.present(); e = e.next() {
			if e.isObject() {
				addEventMessage(&c, e.field("event.name").str(), e)
			}
		}
		c.input = append(c.input, c.output...)
		c.output = nil
	}
	if v.has(kFinalResult) {
		c.output = readMessages(v.decodedValue(kFinalResult), roleAssistant)
	} else if len(c.input) > 0 {
		// The run's last messages are the answer.
		c.output = (&conversation{output: c.input}).answer()
	}
	return c, convPydantic
}

// ioContent reads a vendor's input/output attribute pair.
func ioContent(inKey, outKey attrKey, conv string) contentSource {
	return func(v *spanView, _ flattened) (conversation, string) {
		var c conversation
		if in := v.decodedValue(inKey); !in.isNil() {
			c.input = readMessages(in, roleUser)
		}
		if out := v.decodedValue(outKey); !out.isNil() {
			c.output = readMessages(out, roleAssistant)
		}
		return c, conv
	}
}

// traceloopEntityContent: OpenLLMetry decorator spans record the function's
// arguments ({"args": [...], "kwargs": {...}}) and return value.
func traceloopEntityContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	if in := v.decodedValue(kTraceloopEntityInput); !in.isNil() {
		c.input = readMessages(unwrapCallArgs(in), roleUser)
	}
	if out := v.decodedValue(kTraceloopEntityOutput); !out.isNil() {
		c.output = readMessages(out, roleAssistant)
	}
	return c, convOpenLLMetry
}

// unwrapCallArgs returns the single argument of a recorded function call
// ({"args": ["Paris"], "kwargs": {}} -> "Paris"); other values unchanged.
func unwrapCallArgs(v value) value {
	if !v.isObject() {
		return v
	}
	args, hasArgs := v.get("args")
	kwargs, hasKwargs := v.get("kwargs")
	if !hasArgs && !hasKwargs {
		return v
	}
	var single value
	n := 0
	if args.isArray() {
		for e := args.first(); e.present(); e = e.next() {
			single, n = e, n+1
		}
	}
	if kwargs.isObject() {
		for m := kwargs.first(); m.present(); m = m.next() {
			if !kwargs.shadowed(m) {
				single, n = m, n+1
			}
		}
	}
	if n == 1 {
		return single
	}
	return v
}
