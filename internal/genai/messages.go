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
	text      []string
	reasoning []string
	calls     []toolCall   // tool calls the model requested
	results   []toolResult // tool results fed back to the model
	finish    string
}

// toolCall is a tool call requested by the model.
type toolCall struct {
	id, name string
	args     any // raw arguments: JSON text, a decoded object, or nil
}

// toolResult is the result of a tool call as fed back to the model.
type toolResult struct {
	id     string
	result any
}

func (m *message) hasContent() bool {
	return len(m.text) > 0 || len(m.reasoning) > 0 || len(m.calls) > 0 || len(m.results) > 0
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

// parseMessages turns any of the message shapes the libraries emit into
// messages: OTel parts, OpenAI chat (string or typed content, tool_calls),
// Anthropic and Bedrock content blocks, Gemini/ADK parts, Vercel AI SDK
// content, LangChain (plain and serialised), OpenInference flattened
// messages, request/response envelopes ({"messages": ...}, {"choices": ...},
// {"contents": ...}, {"generations": ...}) and plain text. Messages without
// a role get defaultRole.
func parseMessages(v any, defaultRole string) []message {
	var out []message
	collectMessages(v, defaultRole, &out, 0)
	return out
}

func collectMessages(v any, defaultRole string, out *[]message, depth int) {
	if depth > maxDepth {
		return
	}
	switch t := v.(type) {
	case nil:
	case string:
		if t != "" {
			*out = append(*out, message{role: defaultRole, text: []string{t}})
		}
	case []any:
		for _, e := range t {
			switch e.(type) {
			case []any, string:
				collectMessages(e, defaultRole, out, depth+1) // LangSmith batches: [[msg, ...]]
			default:
				collectMessageElem(e, defaultRole, out, depth+1)
			}
		}
	case map[string]any:
		collectEnvelope(t, defaultRole, out, depth+1)
	default:
		if s := scalarString(t); s != "" {
			*out = append(*out, message{role: defaultRole, text: []string{s}})
		}
	}
}

// collectMessageElem reads one element of a message list: a message, or a
// bare part (OpenAI Responses output items, Bedrock blocks) that stands for
// a message of the default role.
func collectMessageElem(e any, defaultRole string, out *[]message, depth int) {
	m, ok := e.(map[string]any)
	if !ok {
		collectMessages(e, defaultRole, out, depth)
		return
	}
	if isMessage(m) {
		if msg, ok := parseMessage(m, defaultRole, depth); ok {
			*out = append(*out, msg)
		}
		return
	}
	_, typed := m["type"].(string)
	if _, isEnvelope := envelopeKey(m); isEnvelope && !typed {
		collectEnvelope(m, defaultRole, out, depth)
		return
	}
	msg := message{role: defaultRole}
	parsePart(m, &msg, depth)
	if msg.hasContent() {
		*out = append(*out, msg)
	}
}

// isMessage reports whether m is one message (as opposed to an envelope or a part).
func isMessage(m map[string]any) bool {
	if _, ok := m["role"]; ok {
		return true
	}
	if _, ok := m["parts"]; ok {
		return true
	}
	if _, ok := m["lc"]; ok {
		return true
	}
	if firstField(m, "tool_calls", "toolCalls", "function_call") != nil {
		return true
	}
	if inner, ok := m["message"].(map[string]any); ok && len(inner) > 0 {
		return true // OpenInference {message: {...}}, gen_ai.choice {index, message}
	}
	if t, ok := m["type"].(string); ok && normaliseRole(t) != "" {
		if _, hasContent := m["content"]; hasContent {
			return true // LangChain {type: "human", content: ...}
		}
	}
	return false
}

// envelopeKeys are the keys under which request/response envelopes and
// framework IO put the conversation, in the order they are tried.
var envelopeKeys = [...]string{
	"messages", "contents", "choices", "generations", "candidates", "content", "inputs", "outputs",
	"input", "output", "prompt", "query", "question", "answer", "response", "result", "text",
	"completion", "final_result", "final_output",
}

func envelopeKey(m map[string]any) (string, bool) {
	for _, k := range envelopeKeys {
		if x, ok := m[k]; ok && x != nil {
			return k, true
		}
	}
	return "", false
}

// collectEnvelope reads a map that is not a message: a request or response
// body, a framework's IO object, or anything else (kept as JSON text).
func collectEnvelope(m map[string]any, defaultRole string, out *[]message, depth int) {
	if isMessage(m) {
		if msg, ok := parseMessage(m, defaultRole, depth); ok {
			*out = append(*out, msg)
		}
		return
	}
	key, ok := envelopeKey(m)
	if !ok {
		if s := asText(m); s != "" && s != "{}" {
			*out = append(*out, message{role: defaultRole, text: []string{s}})
		}
		return
	}
	// System instructions that travel beside the messages (Anthropic and
	// Vercel "system", Gemini/ADK config.system_instruction).
	if sys := systemText(firstField(m, "system", "instructions")); sys != "" {
		*out = append(*out, message{role: roleSystem, text: []string{sys}})
	}
	if sys := systemText(firstField(field(m, "config"), "system_instruction", "systemInstruction")); sys != "" {
		*out = append(*out, message{role: roleSystem, text: []string{sys}})
	}
	inner := m[key]
	switch key {
	case "choices", "candidates":
		// OpenAI {message} or {text}; Gemini {content}.
		if list, ok := inner.([]any); ok {
			for _, c := range list {
				if x := firstField(c, "message", "content", "delta"); x != nil {
					collectMessages(x, roleAssistant, out, depth+1)
				} else {
					collectMessages(firstField(c, "text"), roleAssistant, out, depth+1)
				}
			}
			return
		}
	case "generations":
		if list, ok := inner.([]any); ok {
			for _, batch := range list {
				gens, isList := batch.([]any)
				if !isList {
					gens = []any{batch}
				}
				for _, g := range gens {
					if x := field(g, "message"); x != nil {
						collectMessages(x, roleAssistant, out, depth+1)
					} else {
						collectMessages(field(g, "text"), roleAssistant, out, depth+1)
					}
				}
			}
			return
		}
	case "content":
		// Anthropic response {role, content: [blocks]} is a message (handled
		// above); ADK LlmResponse {content: {role: "model", parts}}; else a
		// list of blocks or text.
		if list, ok := inner.([]any); ok {
			msg := message{role: defaultRole}
			for _, p := range list {
				parsePart(p, &msg, depth+1)
			}
			if msg.hasContent() {
				*out = append(*out, msg)
			}
			return
		}
	}
	collectMessages(inner, defaultRole, out, depth+1)
}

// systemText reads system instructions: text, OTel parts, Gemini content.
func systemText(v any) string {
	if v == nil {
		return ""
	}
	var texts []string
	for _, msg := range parseMessages(v, roleSystem) {
		texts = append(texts, msg.text...)
	}
	return strings.Join(texts, "\n")
}

// parseMessage reads one message map.
func parseMessage(m map[string]any, defaultRole string, depth int) (message, bool) {
	finish := fieldString(m, "finish_reason", "finishReason", "stop_reason")
	// Wrappers: OpenInference {message: {...}}, gen_ai.choice {index,
	// finish_reason, message}, LangChain serialised {lc, kwargs}.
	for range 2 {
		if inner, ok := m["message"].(map[string]any); ok && m["role"] == nil && m["content"] == nil {
			m = inner
			continue
		}
		if kwargs, ok := m["kwargs"].(map[string]any); ok && m["lc"] != nil {
			if _, hasType := kwargs["type"]; !hasType {
				kwargs["type"] = lastString(m["id"])
			}
			m = kwargs
			continue
		}
		break
	}
	msg := message{role: normaliseRole(fieldString(m, "role"))}
	if msg.role == "" {
		msg.role = normaliseRole(fieldString(m, "type"))
	}
	if msg.role == "" {
		msg.role = defaultRole
	}
	if finish == "" {
		finish = fieldString(m, "finish_reason", "finishReason", "stop_reason")
	}
	msg.finish = finish

	for _, key := range [...]string{"content", "parts", "contents"} {
		switch c := m[key].(type) {
		case nil:
		case string:
			parseContentString(c, &msg, depth+1)
		case []any:
			for _, p := range c {
				parsePart(p, &msg, depth+1)
			}
		case map[string]any:
			parsePart(c, &msg, depth+1)
		default:
			if s := scalarString(c); s != "" {
				msg.text = append(msg.text, s)
			}
		}
	}
	if s, ok := m["text"].(string); ok && len(msg.text) == 0 && s != "" {
		msg.text = append(msg.text, s) // LangChain generation / completion choice
	}
	if r := fieldString(m, "reasoning_content", "reasoning"); r != "" {
		msg.reasoning = append(msg.reasoning, r)
	}
	for _, key := range [...]string{"tool_calls", "toolCalls"} {
		if list, ok := m[key].([]any); ok {
			for _, tc := range list {
				if call, ok := parseToolCall(tc); ok {
					msg.calls = append(msg.calls, call)
				}
			}
		}
	}
	if fc, ok := m["function_call"].(map[string]any); ok {
		if call, ok := parseToolCall(fc); ok {
			msg.calls = append(msg.calls, call)
		}
	}
	// A tool message is a result: OpenAI tool_call_id, OTel 1.28 event id.
	if msg.role == roleTool && len(msg.results) == 0 {
		id := fieldString(m, "tool_call_id", "toolCallId", "tool_use_id", "id")
		msg.results = append(msg.results, toolResult{id: id, result: strings.Join(msg.text, "\n")})
		msg.text = nil
	}
	return msg, msg.hasContent()
}

// parseContentString reads a content string. OpenLLMetry writes typed
// content blocks as a JSON string; anything else is text.
func parseContentString(s string, msg *message, depth int) {
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		if v, ok := decodeJSON(s); ok {
			if list, ok := v.([]any); ok && len(list) > 0 && looksLikeParts(list) {
				for _, p := range list {
					parsePart(p, msg, depth)
				}
				return
			}
		}
	}
	if s != "" {
		msg.text = append(msg.text, s)
	}
}

// looksLikeParts reports whether every element is a typed part or a
// Bedrock/Gemini block.
func looksLikeParts(list []any) bool {
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["type"]; ok {
			continue
		}
		if firstField(m, "text", "toolUse", "toolResult", "reasoningContent", "function_call", "functionCall",
			"function_response", "functionResponse") == nil {
			return false
		}
	}
	return true
}

// parsePart reads one content part/block into msg.
func parsePart(p any, msg *message, depth int) {
	if depth > maxDepth {
		return
	}
	m, ok := p.(map[string]any)
	if !ok {
		if s := scalarString(p); s != "" {
			msg.text = append(msg.text, s)
		}
		return
	}
	if inner, ok := m["message_content"].(map[string]any); ok { // OpenInference
		m = inner
	}
	typ, _ := m["type"].(string)
	switch typ {
	case "text", "input_text", "output_text":
		if s := asText(firstField(m, "content", "text")); s != "" {
			msg.text = append(msg.text, s)
		}
	case "reasoning", "thinking", "redacted_thinking":
		if s := reasoningText(firstField(m, "content", "text", "thinking", "reasoning", "summary")); s != "" {
			msg.reasoning = append(msg.reasoning, s)
		}
	case "tool_call", "tool-call", "tool_use", "function_call", "function", "server_tool_call":
		if call, ok := parseToolCall(m); ok {
			msg.calls = append(msg.calls, call)
		}
	case "tool_call_response", "tool-result", "tool_result", "function_call_output", "function_response":
		msg.results = append(msg.results, toolResult{
			id:     fieldString(m, "id", "toolCallId", "tool_use_id", "call_id", "tool_call_id"),
			result: resultValue(firstField(m, "response", "result", "output", "content")),
		})
	case "image_url", "image", "input_image", "blob", "uri", "file", "audio", "input_audio", "document", "media":
		// Media carries no text to judge.
	case "":
		parseUntypedPart(m, msg)
	default:
		if s := fieldString(m, "text", "content"); s != "" {
			msg.text = append(msg.text, s)
		}
	}
}

// parseUntypedPart reads Bedrock/Strands blocks ({text}, {toolUse},
// {toolResult}, {reasoningContent}) and Gemini/ADK parts ({text, thought},
// {function_call}, {function_response}).
func parseUntypedPart(m map[string]any, msg *message) {
	if s, ok := m["text"].(string); ok {
		if thought, _ := m["thought"].(bool); thought {
			msg.reasoning = append(msg.reasoning, s)
		} else if s != "" {
			msg.text = append(msg.text, s)
		}
		return
	}
	if tu, ok := firstField(m, "toolUse", "function_call", "functionCall").(map[string]any); ok {
		if call, ok := parseToolCall(tu); ok {
			msg.calls = append(msg.calls, call)
		}
		return
	}
	if tr, ok := firstField(m, "toolResult", "function_response", "functionResponse").(map[string]any); ok {
		msg.results = append(msg.results, toolResult{
			id:     fieldString(tr, "toolUseId", "id"),
			result: resultValue(firstField(tr, "content", "response", "result")),
		})
		return
	}
	if rc, ok := m["reasoningContent"]; ok {
		if s := reasoningText(firstField(rc, "reasoningText", "text")); s != "" {
			msg.reasoning = append(msg.reasoning, s)
		}
		return
	}
	if s := fieldString(m, "content"); s != "" {
		msg.text = append(msg.text, s)
	}
}

// reasoningText reads reasoning given as text, {text}, or a list of summaries.
func reasoningText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		return fieldString(t, "text", "content")
	case []any:
		var texts []string
		for _, e := range t {
			if s := reasoningText(e); s != "" {
				texts = append(texts, s)
			}
		}
		return strings.Join(texts, "\n")
	}
	return ""
}

// parseToolCall reads a requested tool call in any of its shapes:
// OTel {id, name, arguments}, OpenAI {id, function: {name, arguments}},
// OpenInference {tool_call: {...}}, Anthropic/Bedrock {id|toolUseId, name,
// input}, Vercel {toolCallId, toolName, input|args}, LangChain {id, name, args}.
func parseToolCall(v any) (toolCall, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return toolCall{}, false
	}
	if inner, ok := m["tool_call"].(map[string]any); ok {
		m = inner
	}
	fn, _ := m["function"].(map[string]any)
	call := toolCall{
		id:   fieldString(m, "id", "toolCallId", "call_id", "toolUseId", "tool_call_id"),
		name: fieldString(m, "name", "toolName"),
		args: firstField(m, "arguments", "args", "input", "parameters"),
	}
	if call.name == "" {
		call.name = fieldString(fn, "name")
	}
	if call.args == nil {
		call.args = firstField(fn, "arguments", "args")
	}
	if call.name == "" && call.id == "" {
		return toolCall{}, false
	}
	return call, true
}

// resultValue unwraps the result envelopes of Vercel ({type, value}) and
// the text-block lists of Anthropic and Bedrock tool results.
func resultValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if typ, ok := t["type"].(string); ok && len(t) <= 2 {
			if val, ok := t["value"]; ok && (typ == "json" || typ == "text" || strings.HasPrefix(typ, "error")) {
				return val
			}
		}
	case []any:
		var texts []string
		for _, e := range t {
			bm, ok := e.(map[string]any)
			if !ok {
				return v
			}
			switch {
			case bm["text"] != nil:
				texts = append(texts, asText(bm["text"]))
			case bm["json"] != nil:
				texts = append(texts, asText(bm["json"]))
			default:
				return v
			}
		}
		return strings.Join(texts, "\n")
	}
	return v
}

// lastString returns the last string of a list (LangChain serialised ids).
func lastString(v any) string {
	if list, ok := v.([]any); ok && len(list) > 0 {
		s, _ := list[len(list)-1].(string)
		return s
	}
	return ""
}
