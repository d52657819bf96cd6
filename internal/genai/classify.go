package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// classifyKeys holds what rule R1 reads from a span's attributes. It is filled
// by one pass over the attributes and lives on the stack: Classify runs on
// every span in the collector's hot path, so it allocates nothing.
type classifyKeys struct {
	operation   string // gen_ai.operation.name
	openinf     string // openinference.span.kind
	traceloop   string // traceloop.span.kind
	llmRequest  string // llm.request.type
	vercelOp    string // ai.operationId
	langfuse    string // langfuse.observation.type
	langsmith   string // langsmith.span.kind
	mlflow      string // mlflow.spanType (raw, maybe JSON-quoted)
	springKind  string // spring.ai.kind
	hasVercelOp bool

	llmContent   bool // gen_ai.input.messages, flattened prompt/completion, llm.input_messages, ADK llm_request
	requestModel bool // gen_ai.request.model
	provider     bool // gen_ai.provider.name or gen_ai.system
	toolAttr     bool // gen_ai.tool.name, ADK tool_call_args, pydantic-ai tool_arguments
}

func (c *classifyKeys) read(k string, v pcommon.Value) bool {
	switch k {
	case "gen_ai.operation.name":
		c.operation = v.Str()
	case "openinference.span.kind":
		c.openinf = v.Str()
	case "traceloop.span.kind":
		c.traceloop = v.Str()
	case "llm.request.type":
		c.llmRequest = v.Str()
	case "ai.operationId":
		c.vercelOp, c.hasVercelOp = v.Str(), true
	case "langfuse.observation.type":
		c.langfuse = v.Str()
	case "langsmith.span.kind":
		c.langsmith = v.Str()
	case "mlflow.spanType":
		c.mlflow = v.Str()
	case "spring.ai.kind":
		c.springKind = v.Str()
	case "gen_ai.input.messages", "gcp.vertex.agent.llm_request":
		c.llmContent = true
	case "gen_ai.request.model":
		c.requestModel = true
	case "gen_ai.provider.name", "gen_ai.system":
		c.provider = true
	case "gen_ai.tool.name", "gcp.vertex.agent.tool_call_args", "tool_arguments":
		c.toolAttr = true
	default:
		if strings.HasPrefix(k, "gen_ai.prompt.0.") || strings.HasPrefix(k, "gen_ai.completion.0.") ||
			strings.HasPrefix(k, "llm.input_messages.0.") {
			c.llmContent = true
		}
	}
	return true
}

// classify applies rule R1: the first rule that recognises a value decides.
func classify(span ptrace.Span) Kind {
	var c classifyKeys
	span.Attributes().Range(c.read)

	// LangSmith writes gen_ai.operation.name "chat" for prompt-template runs
	// too; its own run type tells them apart from model calls.
	if c.langsmith == "prompt" {
		return KindOther
	}
	// R1.1 OTel GenAI operation name (all semconv versions, Vercel v7, Strands,
	// ADK, Spring AI, pydantic-ai, LangSmith, OpenLLMetry OTel-aligned).
	if k, ok := kindOfOperation(c.operation); ok {
		return k
	}
	// R1.2 OpenInference: its kind is authoritative when present.
	if c.openinf != "" {
		switch c.openinf {
		case "LLM":
			return KindLLM
		case "TOOL":
			return KindTool
		case "AGENT":
			return KindAgent
		}
		return KindOther
	}
	// R1.3 OpenLLMetry.
	switch c.traceloop {
	case "agent":
		return KindAgent
	case "tool":
		return KindTool
	case "workflow", "task", "session":
		return KindOther
	}
	switch c.llmRequest {
	case "chat", "completion":
		return KindLLM
	case "embedding", "rerank":
		return KindOther
	}
	// R1.4 Vercel AI SDK legacy spans: ai.operationId, else the span name.
	op := c.vercelOp
	if !c.hasVercelOp {
		op = span.Name()
	}
	if k, ok := kindOfVercelOp(op); ok {
		return k
	}
	// R1.5 vendor kinds.
	if k, ok := kindOfVendor(&c); ok {
		return k
	}
	// R1.6 heuristics.
	switch {
	case c.llmContent || (c.requestModel && c.provider):
		return KindLLM
	case c.toolAttr:
		return KindTool
	}
	return kindOfSpanName(span.Name())
}

// kindOfOperation maps gen_ai.operation.name; ok is false for values rule 1
// does not know (LangSmith run types such as "chain"), so later rules decide.
func kindOfOperation(op string) (Kind, bool) {
	switch op {
	case "":
		return KindOther, false
	case "chat", "text_completion", "generate_content", "response":
		return KindLLM, true
	case "execute_tool":
		return KindTool, true
	case "invoke_agent", "invoke_workflow":
		return KindAgent, true
	case "create_agent", "embeddings", "embedding", "retrieval", "rerank", "plan",
		"framework", "handoff", "execute_task":
		return KindOther, true
	}
	if strings.Contains(op, "_memory") {
		return KindOther, true
	}
	return KindOther, false
}

// kindOfVercelOp maps a Vercel AI SDK operation id (ai.generateText.doGenerate, ...).
func kindOfVercelOp(op string) (Kind, bool) {
	if !strings.HasPrefix(op, "ai.") {
		return KindOther, false
	}
	switch {
	case strings.HasSuffix(op, ".doGenerate"), strings.HasSuffix(op, ".doStream"):
		return KindLLM, true
	case op == "ai.toolCall":
		return KindTool, true
	case op == "ai.generateText", op == "ai.streamText", op == "ai.generateObject", op == "ai.streamObject":
		return KindAgent, true
	case strings.HasPrefix(op, "ai.embed"):
		return KindOther, true
	}
	return KindOther, false
}

// kindOfVendor applies rule R1.5 (Langfuse, LangSmith, MLflow, Spring AI).
// Embedding and retrieval kinds end classification so that the model
// heuristics of R1.6 cannot turn them into LLM calls.
func kindOfVendor(c *classifyKeys) (Kind, bool) {
	switch c.langfuse {
	case "generation":
		return KindLLM, true
	case "tool":
		return KindTool, true
	case "agent":
		return KindAgent, true
	case "embedding", "retriever":
		return KindOther, true
	}
	switch c.langsmith {
	case "llm":
		return KindLLM, true
	case "tool":
		return KindTool, true
	case "embedding", "retriever":
		return KindOther, true
	}
	if c.mlflow != "" {
		switch unquoteJSON(c.mlflow) {
		case "LLM", "CHAT_MODEL":
			return KindLLM, true
		case "TOOL":
			return KindTool, true
		case "AGENT":
			return KindAgent, true
		case "EMBEDDING", "RETRIEVER", "RERANKER":
			return KindOther, true
		}
	}
	if c.springKind == "tool_call" {
		return KindTool, true
	}
	return KindOther, false
}

// unquoteJSON returns the content of a JSON string literal (MLflow JSON-encodes
// every attribute, so "LLM" arrives as `"LLM"`); other values are returned as is.
// Only a literal with escapes needs the JSON decoder.
func unquoteJSON(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	if !strings.ContainsRune(inner, '\\') {
		return inner
	}
	var out string
	if json.Unmarshal([]byte(s), &out) != nil {
		return s
	}
	return out
}

// llmNamePrefixes are the library prefixes of OpenLLMetry-style LLM span
// names (openai.chat, anthropic.completion, ...).
var llmNamePrefixes = [...]string{"openai.", "anthropic.", "bedrock.", "vertexai.", "cohere.", "groq.", "mistralai.", "ollama."}

// kindOfSpanName applies the span-name heuristics of R1.6.
func kindOfSpanName(name string) Kind {
	switch {
	case strings.HasPrefix(name, "chat "), strings.HasPrefix(name, "text_completion "),
		strings.HasPrefix(name, "generate_content "):
		return KindLLM
	}
	for _, p := range llmNamePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok {
			if strings.HasPrefix(rest, "chat") || strings.HasPrefix(rest, "completion") {
				return KindLLM
			}
			break
		}
	}
	switch {
	case strings.HasPrefix(name, "execute_tool "), strings.HasSuffix(name, ".tool"),
		strings.HasPrefix(name, "running tool"):
		return KindTool
	case strings.HasPrefix(name, "invoke_agent"), strings.HasSuffix(name, ".agent"),
		strings.HasPrefix(name, "agent run"):
		return KindAgent
	}
	return KindOther
}

// isGenAIEvent implements IsGenAIEvent.
func isGenAIEvent(lr plog.LogRecord) bool {
	if strings.HasPrefix(lr.EventName(), "gen_ai.") {
		return true
	}
	v, ok := lr.Attributes().Get("event.name")
	return ok && strings.HasPrefix(v.Str(), "gen_ai.")
}

// agentIDOf implements AgentIDOf. Invalid UTF-8 is repaired so that the id
// can be sent as JSON and compared with what was sent.
func agentIDOf(span ptrace.Span, res pcommon.Resource) string {
	if id := trimmedStr(span.Attributes(), AttrAgentID); id != "" {
		return validUTF8(id)
	}
	return validUTF8(trimmedStr(res.Attributes(), "service.name"))
}

// trimmedStr returns a string attribute with surrounding space removed, ""
// when absent or not a string.
func trimmedStr(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return strings.TrimSpace(v.Str())
}
