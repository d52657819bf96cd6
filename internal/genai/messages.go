package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"strings"
)

// Normalised roles.
const (
	roleSystem    = "system"
	roleUser      = "user"
	roleAssistant = "assistant"
	roleTool      = "tool"
)

// message is one chat message in a library-neutral form.
type message struct {
	role      string
	text      few[string]
	reasoning few[string]
	calls     few[toolCall]   // tool calls the model requested
	results   few[toolResult] // tool results fed back to the model
	finish    string
}

// toolCall is a tool call requested by the model.
type toolCall struct {
	id, name string
	args     value // raw arguments: JSON text, a decoded object, or absent
}

// toolResult is the result of a tool call as fed back to the model.
type toolResult struct {
	id     string
	result value
}

func (m *message) hasContent() bool {
	return m.text.n > 0 || m.reasoning.n > 0 || m.calls.n > 0 || m.results.n > 0
}

// normaliseRole maps the role spellings of the libraries (LangChain types,
// Gemini "model", OpenAI "developer", ...) to the four roles.
func normaliseRole(r string) string {
	switch strings.ToLower(strings.TrimSpace(r)) {
	case "user", "human", "humanmessage", "humanmessagechunk":
		return roleUser
	case "assistant", "ai", "model", "bot", "chatbot", "aimessage", "aimessagechunk":
		return roleAssistant
	case "system", "developer", "systemmessage":
		return roleSystem
	case "tool", "function", "ipython", "toolmessage", "functionmessage":
		return roleTool
	}
	return ""
}

// readMessages turns any of the message shapes the libraries emit into
// messages: OTel parts, OpenAI chat (string or typed content, tool_calls),
// Anthropic and Bedrock content blocks, Gemini/ADK parts, Vercel AI SDK
// content, LangChain (plain and serialised), OpenInference flattened
// messages, request/response envelopes ({"messages": ...}, {"choices": ...},
// {"contents": ...}, {"generations": ...}) and plain text. Messages without
// a role get defaultRole.
//
// The list is read into the tree's message scratch (no allocation per list);
// it stays valid until the caller truncates t.msgs below it.
func readMessages(v value, defaultRole string) []message {
	if v.isNil() {
		return nil
	}
	t := v.t
	start := len(t.msgs)
	collectMessages(v, defaultRole, 0)
	if len(t.msgs) == start {
		return nil
	}
	return t.msgs[start:len(t.msgs):len(t.msgs)]
}

// emit adds a message to the list being read.
func emit(v value, m message) { v.t.msgs = append(v.t.msgs, m) }

func collectMessages(v value, defaultRole string, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.kind() {
	case vNull:
	case vString:
		if s := v.str(); s != "" {
			emit(v, textMessage(defaultRole, s))
		}
	case vArray:
		for e := v.first(); e.present(); e = e.next() {
			switch e.kind() {
			case vArray, vString:
				collectMessages(e, defaultRole, depth+1) // LangSmith batches: [[msg, ...]]
			default:
				collectMessageElem(e, defaultRole, depth+1)
			}
		}
	case vObject:
		collectEnvelope(v, defaultRole, depth+1)
	default:
		if s := v.scalarString(); s != "" {
			emit(v, textMessage(defaultRole, s))
		}
	}
}

func textMessage(role, text string) message {
	m := message{role: role}
	m.text.add(text)
	return m
}

// collectMessageElem reads one element of a message list: a message, or a
// bare part (OpenAI Responses output items, Bedrock blocks) that stands for
// a message of the default role.
func collectMessageElem(e value, defaultRole string, depth int) {
	if !e.isObject() {
		collectMessages(e, defaultRole, depth)
		return
	}
	f := fieldsOf(e)
	if f.isMessage() {
		if msg, ok := readMessageFields(e, &f, defaultRole, depth); ok {
			emit(e, msg)
		}
		return
	}
	typed := f.typ.isString()
	if _, isEnvelope := envelopeKey(e); isEnvelope && !typed {
		collectEnvelope(e, defaultRole, depth)
		return
	}
	msg := message{role: defaultRole}
	readPart(e, &msg, depth)
	if msg.hasContent() {
		emit(e, msg)
	}
}

// envelopeKeys are the keys under which request/response envelopes and
// framework IO put the conversation, in the order they are tried.
var envelopeKeys = [...]string{
	"messages", "contents", "choices", "generations", "candidates", "content", "inputs", "outputs",
	"input", "output", "prompt", "query", "question", "answer", "response", "result", "text",
	"completion", "final_result", "final_output",
}

func envelopeKey(m value) (string, bool) {
	for _, k := range envelopeKeys {
		if !m.field(k).isNil() {
			return k, true
		}
	}
	return "", false
}

// collectEnvelope reads an object that is not a message: a request or
// response body, a framework's IO object, or anything else (kept as JSON
// text).
func collectEnvelope(m value, defaultRole string, depth int) {
	if f := fieldsOf(m); f.isMessage() {
		if msg, ok := readMessageFields(m, &f, defaultRole, depth); ok {
			emit(m, msg)
		}
		return
	}
	key, ok := envelopeKey(m)
	if !ok {
		if s := m.asText(); s != "" && s != "{}" {
			emit(m, textMessage(defaultRole, s))
		}
		return
	}
	// System instructions that travel beside the messages (Anthropic and
	// Vercel "system", Gemini/ADK config.system_instruction).
	if sys := systemText(m.firstField("system", "instructions")); sys != "" {
		emit(m, textMessage(roleSystem, sys))
	}
	if sys := systemText(m.field("config").firstField("system_instruction", "systemInstruction")); sys != "" {
		emit(m, textMessage(roleSystem, sys))
	}
	inner := m.field(key)
	switch key {
	case "choices", "candidates":
		// OpenAI {message} or {text}; Gemini {content}.
		if inner.isArray() {
			for c := inner.first(); c.present(); c = c.next() {
				if x := c.firstField("message", "content", "delta"); !x.isNil() {
					collectMessages(x, roleAssistant, depth+1)
				} else {
					collectMessages(c.firstField("text"), roleAssistant, depth+1)
				}
			}
			return
		}
	case "generations":
		if inner.isArray() {
			for batch := inner.first(); batch.present(); batch = batch.next() {
				collectGenerations(batch, depth)
			}
			return
		}
	case "content":
		// Anthropic response {role, content: [blocks]} is a message (handled
		// above); ADK LlmResponse {content: {role: "model", parts}}; else a
		// list of blocks or text.
		if inner.isArray() {
			msg := message{role: defaultRole}
			for p := inner.first(); p.present(); p = p.next() {
				readPart(p, &msg, depth+1)
			}
			if msg.hasContent() {
				emit(m, msg)
			}
			return
		}
	}
	collectMessages(inner, defaultRole, depth+1)
}

// collectGenerations reads one batch of LangChain generations (a list, or
// one generation).
func collectGenerations(batch value, depth int) {
	read := func(g value) {
		if x := g.field("message"); !x.isNil() {
			collectMessages(x, roleAssistant, depth+1)
		} else {
			collectMessages(g.field("text"), roleAssistant, depth+1)
		}
	}
	if !batch.isArray() {
		read(batch)
		return
	}
	for g := batch.first(); g.present(); g = g.next() {
		read(g)
	}
}

// systemText reads system instructions: text, OTel parts, Gemini content.
// The messages read for it are dropped again.
func systemText(v value) string {
	if v.isNil() {
		return ""
	}
	mark := len(v.t.msgs)
	var texts joiner
	for _, msg := range readMessages(v, roleSystem) {
		texts.addAll(&msg.text)
	}
	v.t.msgs = v.t.msgs[:mark]
	return texts.String()
}

// readMessage reads one message object.
func readMessage(m value, defaultRole string, depth int) (message, bool) {
	f := fieldsOf(m)
	return readMessageFields(m, &f, defaultRole, depth)
}

// readMessageFields reads message object m whose fields are f.
func readMessageFields(m value, f *msgFields, defaultRole string, depth int) (message, bool) {
	finish := f.finish()
	// Wrappers: OpenInference {message: {...}}, gen_ai.choice {index,
	// finish_reason, message}, LangChain serialised {lc, kwargs}.
	// A serialised LangChain message without a type takes it from its id.
	lcType, hasLCType := "", false
	var inner msgFields
	for range 2 {
		if f.message.isObject() && f.role.isNil() && f.content.isNil() {
			m, hasLCType = f.message, false
			inner = fieldsOf(m)
			f = &inner
			continue
		}
		if f.kwargs.isObject() && !f.lc.isNil() {
			_, hasType := f.kwargs.get("type")
			if hasLCType = !hasType; hasLCType {
				lcType = lastString(f.id)
			}
			m = f.kwargs
			inner = fieldsOf(m)
			f = &inner
			continue
		}
		break
	}
	msg := message{role: normaliseRole(f.role.scalarString())}
	if msg.role == "" {
		typ := lcType
		if !hasLCType {
			typ = f.typ.scalarString()
		}
		msg.role = normaliseRole(typ)
	}
	if msg.role == "" {
		msg.role = defaultRole
	}
	if finish == "" {
		finish = f.finish()
	}
	msg.finish = finish

	for _, c := range [...]value{f.content, f.parts, f.contents} {
		switch c.kind() {
		case vNull:
		case vString:
			parseContentString(c.str(), &msg, depth+1, m.t)
		case vArray:
			for p := c.first(); p.present(); p = p.next() {
				readPart(p, &msg, depth+1)
			}
		case vObject:
			readPart(c, &msg, depth+1)
		default:
			if s := c.scalarString(); s != "" {
				msg.text.add(s)
			}
		}
	}
	if t := f.text; t.isString() && msg.text.n == 0 && t.str() != "" {
		msg.text.add(t.str()) // LangChain generation / completion choice
	}
	if r := firstScalar(f.reasoningContent, f.reasoning); r != "" {
		msg.reasoning.add(r)
	}
	for _, list := range [...]value{f.toolCalls, f.toolCallsCamel} {
		if list.isArray() {
			for tc := list.first(); tc.present(); tc = tc.next() {
				if call, ok := parseToolCall(tc); ok {
					msg.calls.add(call)
				}
			}
		}
	}
	if fc := f.functionCall; fc.isObject() {
		if call, ok := parseToolCall(fc); ok {
			msg.calls.add(call)
		}
	}
	// A tool message is a result: OpenAI tool_call_id, OTel 1.28 event id.
	if msg.role == roleTool && msg.results.n == 0 {
		id := firstScalar(f.toolCallID, f.toolCallIDCamel, f.toolUseID, f.id)
		msg.results.add(toolResult{id: id, result: m.t.newString(joinTexts(&msg.text))})
		msg.text = few[string]{}
	}
	return msg, msg.hasContent()
}

// parseContentString reads a content string. OpenLLMetry writes typed
// content blocks as a JSON string; anything else is text.
func parseContentString(s string, msg *message, depth int, t *tree) {
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		if v, ok := t.decodeJSON(s); ok && v.isArray() && v.len() > 0 && looksLikeParts(v) {
			for p := v.first(); p.present(); p = p.next() {
				readPart(p, msg, depth)
			}
			return
		}
	}
	if s != "" {
		msg.text.add(s)
	}
}

// looksLikeParts reports whether every element is a typed part or a
// Bedrock/Gemini block.
func looksLikeParts(list value) bool {
	for e := list.first(); e.present(); e = e.next() {
		if !e.isObject() {
			return false
		}
		if _, ok := e.get("type"); ok {
			continue
		}
		if e.firstField("text", "toolUse", "toolResult", "reasoningContent", "function_call", "functionCall",
			"function_response", "functionResponse").isNil() {
			return false
		}
	}
	return true
}

// readPart reads one content part/block into msg.
func readPart(p value, msg *message, depth int) {
	if depth > maxDepth {
		return
	}
	if !p.isObject() {
		if s := p.scalarString(); s != "" {
			msg.text.add(s)
		}
		return
	}
	m := p
	if inner := m.field("message_content"); inner.isObject() { // OpenInference
		m = inner
	}
	typ := m.field("type").str()
	switch typ {
	case "text", "input_text", "output_text":
		if s := m.firstField("content", "text").asText(); s != "" {
			msg.text.add(s)
		}
	case "reasoning", "thinking", "redacted_thinking":
		if s := reasoningText(m.firstField("content", "text", "thinking", "reasoning", "summary")); s != "" {
			msg.reasoning.add(s)
		}
	case "tool_call", "tool-call", "tool_use", "function_call", "function", "server_tool_call":
		if call, ok := parseToolCall(m); ok {
			msg.calls.add(call)
		}
	case "tool_call_response", "tool-result", "tool_result", "function_call_output", "function_response":
		msg.results.add(toolResult{
			// OpenAI Responses items carry their own id ("fco_...") beside the
			// call_id the call and its output share: call_id first.
			id:     m.fieldString("call_id", "id", "toolCallId", "tool_use_id", "tool_call_id"),
			result: resultValue(m.firstField("response", "result", "output", "content")),
		})
	case "image_url", "image", "input_image", "blob", "uri", "file", "audio", "input_audio", "document", "media":
		// Media carries no text to judge.
	case "":
		parseUntypedPart(m, msg)
	default:
		if s := m.fieldString("text", "content"); s != "" {
			msg.text.add(s)
		}
	}
}

// parseUntypedPart reads Bedrock/Strands blocks ({text}, {toolUse},
// {toolResult}, {reasoningContent}) and Gemini/ADK parts ({text, thought},
// {function_call}, {function_response}).
func parseUntypedPart(m value, msg *message) {
	if t := m.field("text"); t.isString() {
		s := t.str()
		if thought := m.field("thought"); thought.kind() == vBool && thought.node().num != 0 {
			msg.reasoning.add(s)
		} else if s != "" {
			msg.text.add(s)
		}
		return
	}
	if tu := m.firstField("toolUse", "function_call", "functionCall"); tu.isObject() {
		if call, ok := parseToolCall(tu); ok {
			msg.calls.add(call)
		}
		return
	}
	if tr := m.firstField("toolResult", "function_response", "functionResponse"); tr.isObject() {
		msg.results.add(toolResult{
			id:     tr.fieldString("toolUseId", "id"),
			result: resultValue(tr.firstField("content", "response", "result")),
		})
		return
	}
	if rc, ok := m.get("reasoningContent"); ok {
		if s := reasoningText(rc.firstField("reasoningText", "text")); s != "" {
			msg.reasoning.add(s)
		}
		return
	}
	if s := m.fieldString("content"); s != "" {
		msg.text.add(s)
	}
}

// reasoningText reads reasoning given as text, {text}, or a list of summaries.
func reasoningText(v value) string {
	switch v.kind() {
	case vString:
		return v.str()
	case vObject:
		return v.fieldString("text", "content")
	case vArray:
		var texts joiner
		for e := v.first(); e.present(); e = e.next() {
			if s := reasoningText(e); s != "" {
				texts.add(s)
			}
		}
		return texts.String()
	}
	return ""
}

// parseToolCall reads a requested tool call in any of its shapes:
// OTel {id, name, arguments}, OpenAI {id, function: {name, arguments}},
// OpenInference {tool_call: {...}}, Anthropic/Bedrock {id|toolUseId, name,
// input}, Vercel {toolCallId, toolName, input|args}, LangChain {id, name, args}.
func parseToolCall(m value) (toolCall, bool) {
	if !m.isObject() {
		return toolCall{}, false
	}
	if inner := m.field("tool_call"); inner.isObject() {
		m = inner
	}
	fn := m.field("function")
	if !fn.isObject() {
		fn = value{}
	}
	call := toolCall{
		id:   m.fieldString("call_id", "id", "toolCallId", "toolUseId", "tool_call_id"), // call_id: see toolResult
		name: m.fieldString("name", "toolName"),
		args: m.firstField("arguments", "args", "input", "parameters"),
	}
	if call.name == "" {
		call.name = fn.fieldString("name")
	}
	if call.args.isNil() {
		call.args = fn.firstField("arguments", "args")
	}
	if call.name == "" && call.id == "" {
		return toolCall{}, false
	}
	return call, true
}

// resultValue unwraps the result envelopes of Vercel ({type, value}) and
// the text-block lists of Anthropic and Bedrock tool results.
func resultValue(v value) value {
	switch v.kind() {
	case vObject:
		if typ := v.field("type"); typ.isString() && v.len() <= 2 {
			t := typ.str()
			if val, ok := v.get("value"); ok && (t == "json" || t == "text" || strings.HasPrefix(t, "error")) {
				return val
			}
		}
	case vArray:
		var texts joiner
		for e := v.first(); e.present(); e = e.next() {
			if !e.isObject() {
				return v
			}
			switch {
			case !e.field("text").isNil():
				texts.add(e.field("text").asText())
			case !e.field("json").isNil():
				texts.add(e.field("json").asText())
			default:
				return v
			}
		}
		return v.t.newString(texts.String())
	}
	return v
}

// lastString returns the last string of a list (LangChain serialised ids).
func lastString(v value) string {
	if !v.isArray() {
		return ""
	}
	var last value
	for e := v.first(); e.present(); e = e.next() {
		last = e
	}
	return last.str()
}
