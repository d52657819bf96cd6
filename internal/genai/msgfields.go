package genai // import "github.com/precogxai/precogx-otel/internal/genai"

// msgFields are the members of an object that the message readers look
// at, found in one pass over its members instead of one scan per key
// tried (a message is probed for some twenty keys). As get, the last of
// duplicate keys wins.
type msgFields struct {
	role, parts, lc, content, contents, typ, message, kwargs, id, text value
	finishReason, finishReasonCamel, stopReason                        value
	reasoningContent, reasoning                                        value
	toolCalls, toolCallsCamel, functionCall                            value
	toolCallID, toolCallIDCamel, toolUseID                             value
}

func fieldsOf(m value) msgFields {
	var f msgFields
	for c := m.first(); c.present(); c = c.next() {
		switch c.key() {
		case "role":
			f.role = c
		case "parts":
			f.parts = c
		case "lc":
			f.lc = c
		case "content":
			f.content = c
		case "contents":
			f.contents = c
		case "type":
			f.typ = c
		case "message":
			f.message = c
		case "kwargs":
			f.kwargs = c
		case "id":
			f.id = c
		case "text":
			f.text = c
		case "finish_reason":
			f.finishReason = c
		case "finishReason":
			f.finishReasonCamel = c
		case "stop_reason":
			f.stopReason = c
		case "reasoning_content":
			f.reasoningContent = c
		case "reasoning":
			f.reasoning = c
		case "tool_calls":
			f.toolCalls = c
		case "toolCalls":
			f.toolCallsCamel = c
		case "function_call":
			f.functionCall = c
		case "tool_call_id":
			f.toolCallID = c
		case "toolCallId":
			f.toolCallIDCamel = c
		case "tool_use_id":
			f.toolUseID = c
		}
	}
	return f
}

// isMessage reports whether the object is one message (as opposed to an
// envelope or a part).
func (f *msgFields) isMessage() bool {
	if f.role.present() || f.parts.present() || f.lc.present() {
		return true
	}
	if !firstNonNil(f.toolCalls, f.toolCallsCamel, f.functionCall).isNil() {
		return true
	}
	if f.message.isObject() && f.message.len() > 0 {
		return true // OpenInference {message: {...}}, gen_ai.choice {index, message}
	}
	if f.typ.isString() && normaliseRole(f.typ.str()) != "" && f.content.present() {
		return true // LangChain {type: "human", content: ...}
	}
	return false
}

func (f *msgFields) finish() string {
	return firstScalar(f.finishReason, f.finishReasonCamel, f.stopReason)
}

// firstScalar is fieldString over values: the first with scalar text.
func firstScalar(vs ...value) string {
	for _, v := range vs {
		if s := v.scalarString(); s != "" {
			return s
		}
	}
	return ""
}

// firstNonNil is firstField over values: the first neither absent nor null.
func firstNonNil(vs ...value) value {
	for _, v := range vs {
		if !v.isNil() {
			return v
		}
	}
	return value{}
}
