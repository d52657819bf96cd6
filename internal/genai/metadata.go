package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

const platformOpenTelemetry = "opentelemetry"

// timestampLayout is RFC 3339 in UTC with at most microseconds, trailing
// zeros dropped: common JSON date parsers (Python's among them) stop at six
// fractional digits.
const timestampLayout = "2006-01-02T15:04:05.999999Z07:00"

// Keys of rules R6-R11, in precedence order.
var (
	modelKeys = [...]string{
		"gen_ai.response.model", "gen_ai.request.model", "llm.response.model_name", "llm.model_name",
		"llm.request.model_name", "ai.response.model", "ai.model.id", "langfuse.observation.model.name",
		"mlflow.llm.model", "embedding.model_name",
	}
	providerKeys = [...]string{
		"gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ai.model.provider", "mlflow.llm.provider",
	}
	sessionKeys = [...]string{
		"session.id", "langfuse.session.id",
		"traceloop.association.properties.session_id", "traceloop.association.properties.conversation_id",
		"traceloop.association.properties.thread_id",
		"ai.telemetry.metadata.sessionId", "ai.telemetry.metadata.conversationId", "ai.telemetry.metadata.threadId",
		"langsmith.metadata.session_id", "langsmith.metadata.thread_id", "langsmith.metadata.conversation_id",
		"gcp.vertex.agent.session_id", "spring.ai.chat.client.conversation.id",
	}
	conversationKeys = [...]string{"gen_ai.conversation.id"}
	userKeys         = [...]string{
		"user.id", "langfuse.user.id", "traceloop.association.properties.user_id", "ai.telemetry.metadata.userId",
		"langsmith.metadata.user_id", "enduser.id", "gen_ai.user", "llm.user",
	}
	inputTokenKeys = [...]string{
		"gen_ai.usage.input_tokens", "llm.token_count.prompt", "gen_ai.usage.prompt_tokens",
		"ai.usage.inputTokens", "ai.usage.promptTokens",
	}
	outputTokenKeys = [...]string{
		"gen_ai.usage.output_tokens", "llm.token_count.completion", "gen_ai.usage.completion_tokens",
		"ai.usage.outputTokens", "ai.usage.completionTokens",
	}
	totalTokenKeys = [...]string{
		"gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total", "ai.usage.totalTokens",
	}
)

// frameworkProviders are gen_ai.system values that name an agent framework,
// not the model provider (rule R10): they are skipped.
var frameworkProviders = map[string]bool{
	"strands-agents": true, "gcp.vertex.agent": true, "crewai": true, "spring_ai": true, "langchain": true,
}

// legacyProviders maps old provider spellings to the current semconv values.
var legacyProviders = map[string]string{
	"az.ai.openai": "azure.ai.openai", "az.ai.inference": "azure.ai.inference", "xai": "x_ai",
	"gemini": "gcp.gemini", "vertex_ai": "gcp.vertex_ai", "vertexai": "gcp.vertex_ai", "mistralai": "mistral_ai",
}

// vercelAPISuffixes are the API names Vercel appends to its provider ids
// (openai.chat, anthropic.messages).
var vercelAPISuffixes = map[string]bool{
	"chat": true, "messages": true, "responses": true, "completion": true, "completions": true,
	"embedding": true, "generative-ai": true,
}

// normaliseProvider lowercases, strips a Vercel API suffix and maps legacy
// names; framework pseudo-providers become "".
func normaliseProvider(p string) string {
	p = strings.ToLower(unquoteJSON(strings.TrimSpace(p)))
	if frameworkProviders[p] {
		return ""
	}
	if i := strings.LastIndexByte(p, '.'); i > 0 && vercelAPISuffixes[p[i+1:]] {
		p = p[:i]
	}
	if m, ok := legacyProviders[p]; ok {
		return m
	}
	return p
}

// identString reads a name or id attribute: trimmed, and unquoted when the
// SDK JSON-encoded it (MLflow writes "gpt-4o" with its quotes).
func identString(m pcommon.Map, key string) string {
	return strings.TrimSpace(unquoteJSON(strings.TrimSpace(attrString(m, key))))
}

// firstStr returns the first non-blank string attribute of keys.
func firstStr(m pcommon.Map, keys []string) string {
	for _, k := range keys {
		if s := identString(m, k); s != "" {
			return s
		}
	}
	return ""
}

// spanProvider applies R10 to one span's own attributes.
func spanProvider(v *spanView) string {
	for _, k := range providerKeys {
		if p := normaliseProvider(v.str(k)); p != "" {
			return p
		}
	}
	return ""
}

// baseMetadata fills the metadata read from the span itself, its ancestors
// and its resource; content-derived fields are added by the caller.
func (b *batch) baseMetadata(v *spanView, kind Kind) precogxapi.Metadata {
	span := v.span
	md := precogxapi.Metadata{
		InteractionID:  interactionID(v.ref),
		TraceID:        v.ref.TraceID.String(),
		SpanID:         v.ref.SpanID.String(),
		Kind:           kind.String(),
		SpanName:       span.Name(),
		Model:          firstStr(v.attrs, modelKeys[:]),
		ModelProvider:  b.provider(v),
		SessionID:      b.lookup(v, sessionKeys[:]),
		ConversationID: b.lookup(v, conversationKeys[:]),
		UserID:         b.lookup(v, userKeys[:]),
		Environment:    firstStr(v.res.Attributes(), []string{"deployment.environment.name", "deployment.environment"}),
		ServiceName:    attrString(v.res.Attributes(), "service.name"),
		ServiceVersion: attrString(v.res.Attributes(), "service.version"),
		AgentName:      b.agentName(v),
		Platform:       platformOpenTelemetry,
	}
	if !span.ParentSpanID().IsEmpty() {
		md.ParentSpanID = span.ParentSpanID().String()
	}
	if start := span.StartTimestamp(); start != 0 {
		md.Timestamp = start.AsTime().UTC().Format(timestampLayout)
		if end := span.EndTimestamp(); end > start {
			md.ResponseTimeMS = int64(end-start) / int64(time.Millisecond)
		}
	}
	md.InputTokens, md.OutputTokens, md.TokensUsed = tokens(v)
	md.FinishReasons = finishReasons(v)
	md.Temperature, md.MaxTokens = requestSettings(v)
	if span.Status().Code() == ptrace.StatusCodeError {
		md.Status = "error"
		md.ErrorMessage = errorMessage(span)
	}
	return md
}

// interactionID is stable across retries: trace id and span id in lower hex.
func interactionID(ref SpanRef) string {
	return ref.TraceID.String() + "-" + ref.SpanID.String()
}

// provider applies R10, falling through to a descendant LLM span when the
// span names only a framework (Strands, ADK agents).
func (b *batch) provider(v *spanView) string {
	if p := spanProvider(v); p != "" {
		return p
	}
	var found string
	b.walkDescendants(v, func(d *spanView) bool {
		if d.kind == KindLLM {
			found = spanProvider(d)
		}
		return found == ""
	})
	return found
}

// lookup returns the first of keys on the span, then on its ancestors in the
// batch, then on its resource (rules R7, R8).
func (b *batch) lookup(v *spanView, keys []string) string {
	var found string
	b.walkUp(v, func(a *spanView) bool {
		found = firstStr(a.attrs, keys)
		return found == ""
	})
	if found == "" {
		found = firstStr(v.res.Attributes(), keys)
	}
	return found
}

// ownAgentName applies the span-level keys of R6.
func ownAgentName(v *spanView) string {
	if s := firstStr(v.attrs, []string{"gen_ai.agent.name", "agent.name", "agent_name"}); s != "" {
		return s
	}
	if v.str("traceloop.span.kind") == "agent" {
		if s := identString(v.attrs, "traceloop.entity.name"); s != "" {
			return s
		}
	}
	if s := identString(v.attrs, "ai.telemetry.functionId"); s != "" {
		return s
	}
	if v.kind == KindAgent {
		name := v.span.Name()
		if rest, ok := strings.CutPrefix(name, "invoke_agent "); ok {
			return strings.TrimSpace(rest)
		}
		if rest, ok := strings.CutSuffix(name, ".agent"); ok {
			return rest
		}
	}
	return ""
}

// agentName applies R6: the span's own name, else the nearest AGENT
// ancestor's, else the resource's main agent, else the graph node.
func (b *batch) agentName(v *spanView) string {
	if s := ownAgentName(v); s != "" {
		return s
	}
	var found string
	b.walkUp(v, func(a *spanView) bool {
		if a != v && a.kind == KindAgent {
			found = ownAgentName(a)
		}
		return found == ""
	})
	if found == "" {
		found = firstStr(v.res.Attributes(), []string{"gen_ai.main_agent.name"})
	}
	if found == "" {
		found = firstStr(v.attrs, []string{"graph.node.name"})
	}
	return found
}

// tokens applies R11.
func tokens(v *spanView) (in, out, total int64) {
	in = firstCount(v, inputTokenKeys[:])
	out = firstCount(v, outputTokenKeys[:])
	total = firstCount(v, totalTokenKeys[:])
	usage := [...]struct {
		key                string
		in, out, totalName string
	}{
		{"langfuse.observation.usage_details", "input", "output", "total"},
		{"mlflow.chat.tokenUsage", "input_tokens", "output_tokens", "total_tokens"},
	}
	for _, u := range usage {
		m := v.decoded(u.key)
		if m == nil {
			continue
		}
		if in == 0 {
			in = positive(field(m, u.in))
		}
		if out == 0 {
			out = positive(field(m, u.out))
		}
		if total == 0 {
			total = positive(field(m, u.totalName))
		}
	}
	if total == 0 {
		total = in + out
	}
	return in, out, total
}

func firstCount(v *spanView, keys []string) int64 {
	for _, k := range keys {
		if n := positive(v.raw(k)); n > 0 {
			return n
		}
	}
	return 0
}

func positive(x any) int64 {
	if n, ok := asInt(x); ok && n > 0 {
		return n
	}
	return 0
}

// finishReasons reads gen_ai.response.finish_reasons (string list, JSON
// text or a single string), else OpenInference llm.finish_reason.
func finishReasons(v *spanView) []string {
	var out []string
	switch t := v.decoded("gen_ai.response.finish_reasons").(type) {
	case []any:
		for _, e := range t {
			if s := scalarString(e); s != "" {
				out = append(out, s)
			}
		}
	case string:
		if t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		if s := v.str("llm.finish_reason"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// requestSettings reads temperature and max tokens from gen_ai.request.*,
// OpenInference llm.invocation_parameters, Vercel ai.settings.* and Langfuse
// model parameters.
func requestSettings(v *spanView) (*float64, int64) {
	params := []any{v.decoded("llm.invocation_parameters"), v.decoded("langfuse.observation.model.parameters")}
	var temp *float64
	if f, ok := asFloat(v.raw("gen_ai.request.temperature")); ok {
		temp = &f
	} else if f, ok := asFloat(v.raw("ai.settings.temperature")); ok {
		temp = &f
	} else {
		for _, p := range params {
			if f, ok := asFloat(field(p, "temperature")); ok {
				temp = &f
				break
			}
		}
	}
	maxTokens := firstCount(v, []string{"gen_ai.request.max_tokens", "ai.settings.maxOutputTokens", "ai.settings.maxTokens"})
	for _, p := range params {
		if maxTokens > 0 {
			break
		}
		maxTokens = positive(firstField(p, "max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens"))
	}
	return temp, maxTokens
}

// errorMessage is the status message, else the exception event's message,
// else error.type.
func errorMessage(span ptrace.Span) string {
	if msg := span.Status().Message(); msg != "" {
		return msg
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		if ev := events.At(i); ev.Name() == "exception" {
			if msg := attrString(ev.Attributes(), "exception.message"); msg != "" {
				return msg
			}
		}
	}
	return attrString(span.Attributes(), "error.type")
}

// enrich fills the fields of md that are empty from a merged wrapper's metadata.
func enrich(md *precogxapi.Metadata, from *precogxapi.Metadata) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&md.Model, from.Model)
	fill(&md.ModelProvider, from.ModelProvider)
	fill(&md.SessionID, from.SessionID)
	fill(&md.ConversationID, from.ConversationID)
	fill(&md.UserID, from.UserID)
	fill(&md.Environment, from.Environment)
	fill(&md.ServiceName, from.ServiceName)
	fill(&md.ServiceVersion, from.ServiceVersion)
	fill(&md.AgentName, from.AgentName)
	fill(&md.SystemPrompt, from.SystemPrompt)
	if md.Status == "" {
		md.Status, md.ErrorMessage = from.Status, from.ErrorMessage
	}
	if md.InputTokens == 0 && md.OutputTokens == 0 && md.TokensUsed == 0 {
		md.InputTokens, md.OutputTokens, md.TokensUsed = from.InputTokens, from.OutputTokens, from.TokensUsed
	}
	if len(md.FinishReasons) == 0 {
		md.FinishReasons = from.FinishReasons
	}
	if md.Temperature == nil {
		md.Temperature = from.Temperature
	}
	if md.MaxTokens == 0 {
		md.MaxTokens = from.MaxTokens
	}
}
