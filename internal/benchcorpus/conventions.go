package benchcorpus

import (
	"bytes"
	"encoding/json"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// obj is a JSON object in the order it is written (encoding/json sorts map
// keys; SDKs keep their own order).
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Quote(e.k))
		buf.WriteByte(':')
		buf.WriteString(js(e.v))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// js encodes v as the SDKs do: compact, without HTML escaping.
func js(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // the corpus is built from values that always encode
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeLLM writes a convention's model call: the first asks for the tool,
// the second (answer) answers with its result.
var writeLLM = map[string]func(s ptrace.Span, t turn, answer bool){
	"otel_genai":        otelLLM,
	"openllmetry":       openLLMetryLLM,
	"openinference":     openInferenceLLM,
	"vercel_ai":         vercelLLM,
	"otel_genai_events": otelEventsLLM,
	"adk":               adkLLM,
	"mlflow":            mlflowLLM,
}

// writeTool writes a convention's tool execution.
var writeTool = map[string]func(s ptrace.Span, t turn){
	"otel_genai":        otelTool,
	"openllmetry":       openLLMetryTool,
	"openinference":     openInferenceTool,
	"vercel_ai":         vercelTool,
	"otel_genai_events": otelEventsTool,
	"adk":               adkTool,
	"mlflow":            mlflowTool,
}

func putStrings(m pcommon.Map, key string, values ...string) {
	s := m.PutEmptySlice(key)
	for _, v := range values {
		s.AppendEmpty().SetStr(v)
	}
}

func finish(answer bool) string {
	if answer {
		return "stop"
	}
	return "tool_calls"
}

// --- OpenTelemetry GenAI semantic conventions >= 1.37 (JSON text attributes).

func otelLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("chat gpt-4o")
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutDouble("gen_ai.request.temperature", 0.2)
	a.PutInt("gen_ai.request.max_tokens", 1024)
	a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
	a.PutStr("gen_ai.response.id", "chatcmpl-AbC123")
	a.PutStr("gen_ai.conversation.id", "conv_5j66UpCpwteGg4YSxUnt7lPY")
	a.PutStr("gen_ai.agent.name", t.agent)
	a.PutStr("server.address", "api.openai.com")
	a.PutInt("gen_ai.usage.input_tokens", int64(len(t.system)+len(t.question))/4)
	a.PutInt("gen_ai.usage.output_tokens", int64(len(t.answer))/4)
	a.PutStr("gen_ai.system_instructions", js([]any{obj{{"type", "text"}, {"content", t.system}}}))
	user := obj{{"role", "user"}, {"parts", []any{obj{{"type", "text"}, {"content", t.question}}}}}
	call := obj{{"role", "assistant"}, {"parts", []any{obj{{"type", "tool_call"}, {"id", t.callID}, {"name", t.tool}, {"arguments", json.RawMessage(t.args)}}}}}
	if !answer {
		putStrings(a, "gen_ai.response.finish_reasons", "tool_call")
		a.PutStr("gen_ai.input.messages", js([]any{user}))
		a.PutStr("gen_ai.output.messages", js([]any{append(call, kv{"finish_reason", "tool_call"})}))
		return
	}
	putStrings(a, "gen_ai.response.finish_reasons", "stop")
	result := obj{{"role", "tool"}, {"parts", []any{obj{{"type", "tool_call_response"}, {"id", t.callID}, {"response", t.result}}}}}
	a.PutStr("gen_ai.input.messages", js([]any{user, call, result}))
	a.PutStr("gen_ai.output.messages", js([]any{obj{{"role", "assistant"}, {"parts", []any{obj{{"type", "text"}, {"content", t.answer}}}}, {"finish_reason", "stop"}}}))
}

func otelTool(s ptrace.Span, t turn) {
	s.SetName("execute_tool " + t.tool)
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "execute_tool")
	a.PutStr("gen_ai.tool.name", t.tool)
	a.PutStr("gen_ai.tool.call.id", t.callID)
	a.PutStr("gen_ai.tool.type", "function")
	a.PutStr("gen_ai.tool.call.arguments", t.args)
	a.PutStr("gen_ai.tool.call.result", t.result)
}

// --- OpenLLMetry before its OTel alignment: flattened prompt and completion.

func openLLMetryLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("openai.chat")
	a := s.Attributes()
	a.PutStr("llm.request.type", "chat")
	a.PutStr("gen_ai.system", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
	a.PutDouble("gen_ai.request.temperature", 0.2)
	a.PutStr("gen_ai.openai.api_base", "https://api.openai.com/v1/")
	a.PutBool("llm.is_streaming", false)
	a.PutStr("traceloop.workflow.name", "invoice_review")
	a.PutStr("traceloop.association.properties.session_id", "sess-42")
	a.PutStr("traceloop.association.properties.user_id", "u-7")
	a.PutStr("llm.request.functions.0.name", t.tool)
	a.PutStr("llm.request.functions.0.parameters", `{"type":"object","properties":{"invoice_id":{"type":"string"},"include_lines":{"type":"boolean"}}}`)
	a.PutStr("gen_ai.prompt.0.role", "system")
	a.PutStr("gen_ai.prompt.0.content", t.system)
	a.PutStr("gen_ai.prompt.1.role", "user")
	a.PutStr("gen_ai.prompt.1.content", t.question)
	a.PutStr("gen_ai.completion.0.role", "assistant")
	a.PutStr("gen_ai.completion.0.finish_reason", finish(answer))
	if !answer {
		a.PutStr("gen_ai.completion.0.tool_calls.0.id", t.callID)
		a.PutStr("gen_ai.completion.0.tool_calls.0.name", t.tool)
		a.PutStr("gen_ai.completion.0.tool_calls.0.arguments", t.args)
	} else {
		a.PutStr("gen_ai.prompt.2.role", "assistant")
		a.PutStr("gen_ai.prompt.2.tool_calls.0.id", t.callID)
		a.PutStr("gen_ai.prompt.2.tool_calls.0.name", t.tool)
		a.PutStr("gen_ai.prompt.2.tool_calls.0.arguments", t.args)
		a.PutStr("gen_ai.prompt.3.role", "tool")
		a.PutStr("gen_ai.prompt.3.content", t.result)
		a.PutStr("gen_ai.prompt.3.tool_call_id", t.callID)
		a.PutStr("gen_ai.completion.0.content", t.answer)
	}
	a.PutInt("gen_ai.usage.prompt_tokens", int64(len(t.system)+len(t.question))/4)
	a.PutInt("gen_ai.usage.completion_tokens", int64(len(t.answer))/4)
	a.PutInt("llm.usage.total_tokens", int64(len(t.system)+len(t.question)+len(t.answer))/4)
}

func openLLMetryTool(s ptrace.Span, t turn) {
	s.SetName(t.tool + ".tool")
	a := s.Attributes()
	a.PutStr("traceloop.workflow.name", "invoice_review")
	a.PutStr("traceloop.span.kind", "tool")
	a.PutStr("traceloop.entity.name", t.tool)
	a.PutStr("traceloop.entity.path", "invoice_review")
	a.PutStr("traceloop.entity.input", `{"args":[],"kwargs":`+t.args+`}`)
	a.PutStr("traceloop.entity.output", js(t.result))
}

// --- OpenInference: flattened messages plus the raw request and response.

func openInferenceLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("ChatCompletion")
	a := s.Attributes()
	a.PutStr("openinference.span.kind", "LLM")
	a.PutStr("llm.system", "openai")
	a.PutStr("llm.provider", "openai")
	a.PutStr("llm.model_name", "gpt-4o-2024-08-06")
	a.PutStr("llm.invocation_parameters", `{"temperature":0.2,"max_tokens":1024}`)
	a.PutStr("session.id", "sess-tokyo")
	a.PutStr("user.id", "u-55")
	a.PutStr("llm.input_messages.0.message.role", "system")
	a.PutStr("llm.input_messages.0.message.content", t.system)
	a.PutStr("llm.input_messages.1.message.role", "user")
	a.PutStr("llm.input_messages.1.message.content", t.question)
	msgs := []any{obj{{"role", "system"}, {"content", t.system}}, obj{{"role", "user"}, {"content", t.question}}}
	toolCall := obj{{"id", t.callID}, {"type", "function"}, {"function", obj{{"name", t.tool}, {"arguments", t.args}}}}
	var out obj
	if !answer {
		a.PutStr("llm.output_messages.0.message.role", "assistant")
		a.PutStr("llm.output_messages.0.message.tool_calls.0.tool_call.id", t.callID)
		a.PutStr("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", t.tool)
		a.PutStr("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", t.args)
		out = obj{{"role", "assistant"}, {"content", nil}, {"tool_calls", []any{toolCall}}}
	} else {
		a.PutStr("llm.input_messages.2.message.role", "assistant")
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.id", t.callID)
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.name", t.tool)
		a.PutStr("llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments", t.args)
		a.PutStr("llm.input_messages.3.message.role", "tool")
		a.PutStr("llm.input_messages.3.message.tool_call_id", t.callID)
		a.PutStr("llm.input_messages.3.message.content", t.result)
		a.PutStr("llm.output_messages.0.message.role", "assistant")
		a.PutStr("llm.output_messages.0.message.content", t.answer)
		msgs = append(msgs, obj{{"role", "assistant"}, {"tool_calls", []any{toolCall}}},
			obj{{"role", "tool"}, {"tool_call_id", t.callID}, {"content", t.result}})
		out = obj{{"role", "assistant"}, {"content", t.answer}}
	}
	a.PutStr("input.value", js(obj{{"model", "gpt-4o"}, {"messages", msgs}, {"temperature", 0.2}}))
	a.PutStr("input.mime_type", "application/json")
	a.PutStr("output.value", js(obj{{"id", "chatcmpl-AbC123"}, {"object", "chat.completion"},
		{"choices", []any{obj{{"index", 0}, {"message", out}, {"finish_reason", finish(answer)}}}}}))
	a.PutStr("output.mime_type", "application/json")
	a.PutInt("llm.token_count.prompt", int64(len(t.system)+len(t.question))/4)
	a.PutInt("llm.token_count.completion", int64(len(t.answer))/4)
	a.PutInt("llm.token_count.total", int64(len(t.system)+len(t.question)+len(t.answer))/4)
}

func openInferenceTool(s ptrace.Span, t turn) {
	s.SetName(t.tool)
	a := s.Attributes()
	a.PutStr("openinference.span.kind", "TOOL")
	a.PutStr("tool.name", t.tool)
	a.PutStr("tool.description", "Looks an invoice up by its id.")
	a.PutStr("input.value", t.args)
	a.PutStr("input.mime_type", "application/json")
	a.PutStr("output.value", t.result)
	a.PutStr("session.id", "sess-tokyo")
}

// --- Vercel AI SDK (ai 5 legacy spans).

func vercelLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("ai.generateText.doGenerate")
	a := s.Attributes()
	a.PutStr("ai.operationId", "ai.generateText.doGenerate")
	a.PutStr("operation.name", "ai.generateText.doGenerate "+t.agent)
	a.PutStr("ai.telemetry.functionId", t.agent)
	a.PutStr("ai.telemetry.metadata.sessionId", "sess-vercel-1")
	a.PutStr("ai.telemetry.metadata.userId", "user_2xY")
	a.PutStr("ai.model.id", "gpt-4o")
	a.PutStr("ai.model.provider", "openai.chat")
	a.PutStr("gen_ai.system", "openai.chat")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
	a.PutStr("ai.prompt.toolChoice", `{"type":"auto"}`)
	msgs := []any{
		obj{{"role", "system"}, {"content", t.system}},
		obj{{"role", "user"}, {"content", []any{obj{{"type", "text"}, {"text", t.question}}}}},
	}
	if !answer {
		a.PutStr("ai.response.text", "")
		a.PutStr("ai.response.toolCalls", js([]any{obj{{"toolCallId", t.callID}, {"toolName", t.tool}, {"input", t.args}}}))
	} else {
		msgs = append(msgs,
			obj{{"role", "assistant"}, {"content", []any{obj{{"type", "tool-call"}, {"toolCallId", t.callID}, {"toolName", t.tool}, {"input", json.RawMessage(t.args)}}}}},
			obj{{"role", "tool"}, {"content", []any{obj{{"type", "tool-result"}, {"toolCallId", t.callID}, {"toolName", t.tool}, {"output", obj{{"type", "text"}, {"value", t.result}}}}}}})
		a.PutStr("ai.response.text", t.answer)
	}
	a.PutStr("ai.prompt.messages", js(msgs))
	a.PutStr("ai.response.finishReason", map[bool]string{false: "tool-calls", true: "stop"}[answer])
	a.PutInt("ai.usage.inputTokens", int64(len(t.system)+len(t.question))/4)
	a.PutInt("ai.usage.outputTokens", int64(len(t.answer))/4)
	putStrings(a, "gen_ai.response.finish_reasons", map[bool]string{false: "tool-calls", true: "stop"}[answer])
}

func vercelTool(s ptrace.Span, t turn) {
	s.SetName("ai.toolCall")
	a := s.Attributes()
	a.PutStr("ai.operationId", "ai.toolCall")
	a.PutStr("ai.telemetry.functionId", t.agent)
	a.PutStr("ai.toolCall.name", t.tool)
	a.PutStr("ai.toolCall.id", t.callID)
	a.PutStr("ai.toolCall.args", t.args)
	a.PutStr("ai.toolCall.result", js(t.result))
}

// --- OpenTelemetry GenAI 1.28-1.36: content in per-message span events.

func otelEventsLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("chat gpt-4o")
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.system", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutStr("gen_ai.response.model", "gpt-4o-2024-08-06")
	a.PutStr("gen_ai.response.id", "chatcmpl-AbC123")
	a.PutInt("gen_ai.usage.input_tokens", int64(len(t.system)+len(t.question))/4)
	a.PutInt("gen_ai.usage.output_tokens", int64(len(t.answer))/4)
	putStrings(a, "gen_ai.response.finish_reasons", finish(answer))
	event := func(name string, kvs ...string) {
		e := s.Events().AppendEmpty()
		e.SetName(name)
		e.SetTimestamp(s.StartTimestamp())
		e.Attributes().PutStr("gen_ai.system", "openai")
		for i := 0; i+1 < len(kvs); i += 2 {
			e.Attributes().PutStr(kvs[i], kvs[i+1])
		}
	}
	calls := js([]any{obj{{"id", t.callID}, {"type", "function"}, {"function", obj{{"name", t.tool}, {"arguments", t.args}}}}})
	event("gen_ai.system.message", "content", t.system)
	event("gen_ai.user.message", "content", t.question)
	if !answer {
		event("gen_ai.choice", "finish_reason", "tool_calls",
			"message", js(obj{{"role", "assistant"}, {"tool_calls", json.RawMessage(calls)}}))
		return
	}
	event("gen_ai.assistant.message", "tool_calls", calls)
	event("gen_ai.tool.message", "content", t.result, "id", t.callID)
	event("gen_ai.choice", "finish_reason", "stop", "message", js(obj{{"role", "assistant"}, {"content", t.answer}}))
}

func otelEventsTool(s ptrace.Span, t turn) {
	s.SetName("execute_tool " + t.tool)
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "execute_tool")
	a.PutStr("gen_ai.tool.name", t.tool)
	a.PutStr("gen_ai.tool.call.id", t.callID)
}

// --- Google ADK: the Gemini request and response as JSON.

func adkLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("call_llm")
	a := s.Attributes()
	a.PutStr("gen_ai.system", "gcp.vertex.agent")
	a.PutStr("gen_ai.request.model", "gemini-2.5-flash")
	a.PutStr("gcp.vertex.agent.session_id", "adk-session-1")
	a.PutStr("gcp.vertex.agent.invocation_id", "e-91b2")
	a.PutStr("gen_ai.conversation.id", "adk-session-1")
	a.PutInt("gen_ai.usage.input_tokens", int64(len(t.system)+len(t.question))/4)
	a.PutInt("gen_ai.usage.output_tokens", int64(len(t.answer))/4)
	putStrings(a, "gen_ai.response.finish_reasons", "stop")
	call := obj{{"function_call", obj{{"id", t.callID}, {"name", t.tool}, {"args", json.RawMessage(t.args)}}}}
	contents := []any{obj{{"role", "user"}, {"parts", []any{obj{{"text", t.question}}}}}}
	var parts []any
	if !answer {
		parts = []any{call}
	} else {
		contents = append(contents,
			obj{{"role", "model"}, {"parts", []any{call}}},
			obj{{"role", "user"}, {"parts", []any{obj{{"function_response", obj{{"id", t.callID}, {"name", t.tool}, {"response", obj{{"result", t.result}}}}}}}}})
		parts = []any{obj{{"text", t.answer}}}
	}
	a.PutStr("gcp.vertex.agent.llm_request", js(obj{{"model", "gemini-2.5-flash"},
		{"config", obj{{"system_instruction", t.system}, {"tools", []any{obj{{"function_declarations", []any{obj{{"name", t.tool}}}}}}}}},
		{"contents", contents}}))
	a.PutStr("gcp.vertex.agent.llm_response", js(obj{{"content", obj{{"role", "model"}, {"parts", parts}}},
		{"usage_metadata", obj{{"prompt_token_count", (len(t.system) + len(t.question)) / 4}, {"candidates_token_count", len(t.answer) / 4}}}}))
}

func adkTool(s ptrace.Span, t turn) {
	s.SetName("execute_tool " + t.tool)
	a := s.Attributes()
	a.PutStr("gen_ai.operation.name", "execute_tool")
	a.PutStr("gen_ai.tool.name", t.tool)
	a.PutStr("gen_ai.tool.call.id", t.callID)
	a.PutStr("gen_ai.tool.type", "FunctionTool")
	a.PutStr("gcp.vertex.agent.tool_call_args", t.args)
	a.PutStr("gcp.vertex.agent.tool_response", js(obj{{"result", t.result}}))
}

// --- MLflow tracing: every attribute JSON-encoded.

func mlflowLLM(s ptrace.Span, t turn, answer bool) {
	s.SetName("ChatOpenAI")
	a := s.Attributes()
	a.PutStr("mlflow.traceRequestId", `"tr-5ba1"`)
	a.PutStr("mlflow.spanType", `"CHAT_MODEL"`)
	a.PutStr("mlflow.llm.model", `"gpt-4o"`)
	a.PutStr("mlflow.llm.provider", `"openai"`)
	msgs := []any{obj{{"role", "system"}, {"content", t.system}}, obj{{"role", "user"}, {"content", t.question}}}
	toolCall := obj{{"id", t.callID}, {"type", "function"}, {"function", obj{{"name", t.tool}, {"arguments", t.args}}}}
	var out obj
	if !answer {
		out = obj{{"role", "assistant"}, {"content", nil}, {"tool_calls", []any{toolCall}}}
	} else {
		msgs = append(msgs, obj{{"role", "assistant"}, {"tool_calls", []any{toolCall}}},
			obj{{"role", "tool"}, {"tool_call_id", t.callID}, {"content", t.result}})
		out = obj{{"role", "assistant"}, {"content", t.answer}}
	}
	a.PutStr("mlflow.spanInputs", js(obj{{"messages", msgs}}))
	a.PutStr("mlflow.spanOutputs", js(obj{{"choices", []any{obj{{"index", 0}, {"finish_reason", finish(answer)}, {"message", out}}}}}))
	a.PutStr("mlflow.chat.tokenUsage", js(obj{{"input_tokens", (len(t.system) + len(t.question)) / 4}, {"output_tokens", len(t.answer) / 4}}))
}

func mlflowTool(s ptrace.Span, t turn) {
	s.SetName(t.tool)
	a := s.Attributes()
	a.PutStr("mlflow.traceRequestId", `"tr-5ba1"`)
	a.PutStr("mlflow.spanType", `"TOOL"`)
	a.PutStr("mlflow.spanInputs", t.args)
	a.PutStr("mlflow.spanOutputs", js(t.result))
}
