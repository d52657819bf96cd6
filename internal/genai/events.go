package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import "go.opentelemetry.io/collector/pdata/pcommon"

// messageEventsContent: per-message span events gen_ai.{system,user,
// assistant,tool}.message and gen_ai.choice (semconv 1.28-1.36; Strands
// puts Bedrock content blocks in `content` / `message`), and the same
// events as log records joined to their span (AttachLogs).
func messageEventsContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	events := v.span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		body := make(map[string]any, ev.Attributes().Len())
		ev.Attributes().Range(func(k string, val pcommon.Value) bool {
			if k == "content" && val.Type() == pcommon.ValueTypeStr {
				// A message's content is text: a tool result or prompt that
				// happens to be JSON stays as written. Strands' JSON lists
				// of content blocks are still read as blocks (parseContentString).
				body[k] = val.Str()
				return true
			}
			body[k] = decodedAny(val)
			return true
		})
		addEventMessage(&c, ev.Name(), body)
	}
	conv := convOTel
	if v.isStrands() {
		conv = convStrands
	}
	return c, conv
}

// pydanticEventsContent: pydantic-ai v1 puts the same events, flattened with
// their `event.name`, in one JSON attribute `events`.
func pydanticEventsContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	list, _ := v.decoded("events").([]any)
	for _, e := range list {
		if body, ok := e.(map[string]any); ok {
			name, _ := body["event.name"].(string)
			addEventMessage(&c, name, body)
		}
	}
	return c, convPydantic
}

// addEventMessage appends the message an OTel 1.28 event (or its pydantic-ai
// copy) carries.
func addEventMessage(c *conversation, name string, body map[string]any) {
	role := ""
	switch name {
	case "gen_ai.system.message":
		role = roleSystem
	case "gen_ai.user.message":
		role = roleUser
	case "gen_ai.assistant.message":
		role = roleAssistant
	case "gen_ai.tool.message":
		role = roleTool
	case eventChoice:
		c.output = append(c.output, choiceMessages(body)...)
		return
	default:
		return
	}
	msg := map[string]any{"role": role}
	for _, k := range [...]string{"content", "tool_calls", "id", "tool_call_id"} {
		if x, ok := body[k]; ok {
			msg[k] = x
		}
	}
	if r, ok := body["role"].(string); ok && normaliseRole(r) != "" {
		msg["role"] = r
	}
	if m, ok := parseMessage(msg, role, 0); ok {
		c.input = append(c.input, m)
	}
}

// choiceMessages reads a gen_ai.choice body: {index, finish_reason, message:
// {role, content, tool_calls}}; Strands puts a list of content blocks in `message`.
func choiceMessages(body map[string]any) []message {
	finish := fieldString(body, "finish_reason")
	var msgs []message
	switch m := body["message"].(type) {
	case map[string]any:
		msgs = parseMessages(m, roleAssistant)
	case []any:
		msg := message{role: roleAssistant}
		for _, p := range m {
			parsePart(p, &msg, 0)
		}
		if msg.hasContent() {
			msgs = []message{msg}
		}
	default:
		msgs = parseMessages(firstField(body, "message", "content"), roleAssistant)
	}
	for i := range msgs {
		if msgs[i].finish == "" {
			msgs[i].finish = finish
		}
	}
	return msgs
}

// contentEventsContent: semconv 1.26-1.27 span events gen_ai.content.prompt
// (attribute gen_ai.prompt) and gen_ai.content.completion (gen_ai.completion).
func contentEventsContent(v *spanView, _ flattened) (conversation, string) {
	var c conversation
	events := v.span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		switch ev.Name() {
		case eventContentPrompt:
			if val, ok := ev.Attributes().Get("gen_ai.prompt"); ok && len(c.input) == 0 {
				c.input = parseMessages(decodedAny(val), roleUser)
			}
		case eventContentCompletion:
			if val, ok := ev.Attributes().Get("gen_ai.completion"); ok && len(c.output) == 0 {
				c.output = parseMessages(decodedAny(val), roleAssistant)
			}
		}
	}
	return c, convOTel
}
