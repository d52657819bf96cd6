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
		t := v.t
		body := t.add(node{kind: vObject})
		var members childLinker
		ev.Attributes().Range(func(k string, val pcommon.Value) bool {
			var m value
			if k == "content" && val.Type() == pcommon.ValueTypeStr {
				// A message's content is text: a tool result or prompt that
				// happens to be JSON stays as written. Strands' JSON lists
				// of content blocks are still read as blocks (parseContentString).
				m = t.newString(val.Str())
			} else {
				m = t.decoded(val)
			}
			t.nodes[m.i].key = k
			members.linkMember(t, body, m.i)
			return true
		})
		addEventMessage(&c, ev.Name(), t.val(body))
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
	if list := v.decodedValue(kEvents); list.isArray() {
		for e := list.first(); e.present(); e = e.next() {
			if e.isObject() {
				addEventMessage(&c, e.field("event.name").str(), e)
			}
		}
	}
	return c, convPydantic
}

// addEventMessage appends the message an OTel 1.28 event (or its pydantic-ai
// copy) carries: body is the object of the event's fields.
func addEventMessage(c *conversation, name string, body value) {
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
	// The message is the body's content, tool calls and ids under the
	// event's role (or the body's own role, when it names one).
	t := body.t
	msg := t.add(node{kind: vObject})
	var members childLinker
	roleNode := t.newString(role)
	if r := body.field("role"); r.isString() && normaliseRole(r.str()) != "" {
		roleNode = r
	}
	members.link(t, msg, t.copyMember(roleNode, "role"))
	for _, k := range [...]string{"content", "tool_calls", "id", "tool_call_id"} {
		if x, ok := body.get(k); ok {
			members.link(t, msg, t.copyMember(x, k))
		}
	}
	if m, ok := readMessage(t.val(msg), role, 0); ok {
		c.input = append(c.input, m)
	}
}

// copyMember adds a copy of v (sharing its children) named key, to be
// linked into another object.
func (t *tree) copyMember(v value, key string) int32 {
	n := *v.node()
	n.key, n.next = key, -1
	t.nodes = append(t.nodes, n)
	return int32(len(t.nodes) - 1)
}

// choiceMessages reads a gen_ai.choice body: {index, finish_reason, message:
// {role, content, tool_calls}}; Strands puts a list of content blocks in `message`.
func choiceMessages(body value) []message {
	finish := body.fieldString("finish_reason")
	var msgs []message
	switch m := body.field("message"); m.kind() {
	case vObject:
		msgs = readMessages(m, roleAssistant)
	case vArray:
		msg := message{role: roleAssistant}
		for p := m.first(); p.present(); p = p.next() {
			readPart(p, &msg, 0)
		}
		if msg.hasContent() {
			msgs = []message{msg}
		}
	default:
		msgs = readMessages(body.firstField("message", "content"), roleAssistant)
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
				c.input = readMessages(v.t.decoded(val), roleUser)
			}
		case eventContentCompletion:
			if val, ok := ev.Attributes().Get("gen_ai.completion"); ok && len(c.output) == 0 {
				c.output = readMessages(v.t.decoded(val), roleAssistant)
			}
		}
	}
	return c, convOTel
}
