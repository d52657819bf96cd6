package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/hex"
	"math"
	"strconv"
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
	modelKeys = [...]attrKey{
		kGenAIResponseModel, kGenAIRequestModel, kLLMResponseModelName, kLLMModelName,
		kLLMRequestModelName, kAIResponseModel, kAIModelID, kLangfuseObservationModelName,
		kMLflowLLMModel, kEmbeddingModelName,
	}
	providerKeys = [...]attrKey{
		kGenAIProviderName, kGenAISystem, kLLMProvider, kLLMSystem, kAIModelProvider, kMLflowLLMProvider,
	}
	sessionKeys = [...]attrKey{
		kSessionID, kLangfuseSessionID,
		kTraceloopAssociationPropertiesSessionID, kTraceloopAssociationPropertiesConversationID,
		kTraceloopAssociationPropertiesThreadID,
		kAITelemetryMetadataSessionID, kAITelemetryMetadataConversationID, kAITelemetryMetadataThreadID,
		kLangsmithMetadataSessionID, kLangsmithMetadataThreadID, kLangsmithMetadataConversationID,
		kGCPVertexAgentSessionID, kSpringAIChatClientConversationID,
	}
	conversationKeys = [...]attrKey{kGenAIConversationID}
	userKeys         = [...]attrKey{
		kUserID, kLangfuseUserID, kTraceloopAssociationPropertiesUserID, kAITelemetryMetadataUserID,
		kLangsmithMetadataUserID, kEnduserID, kGenAIUser, kLLMUser,
	}
	inputTokenKeys = [...]attrKey{
		kGenAIUsageInputTokens, kLLMTokenCountPrompt, kGenAIUsagePromptTokens,
		kAIUsageInputTokens, kAIUsagePromptTokens,
	}
	outputTokenKeys = [...]attrKey{
		kGenAIUsageOutputTokens, kLLMTokenCountCompletion, kGenAIUsageCompletionTokens,
		kAIUsageOutputTokens, kAIUsageCompletionTokens,
	}
	totalTokenKeys = [...]attrKey{
		kGenAIUsageTotalTokens, kLLMUsageTotalTokens, kLLMTokenCountTotal, kAIUsageTotalTokens,
	}
	maxTokenKeys    = [...]attrKey{kGenAIRequestMaxTokens, kAISettingsMaxOutputTokens, kAISettingsMaxTokens}
	environmentKeys = [...]attrKey{kDeploymentEnvironmentName, kDeploymentEnvironment}
	agentNameKeys   = [...]attrKey{kGenAIAgentName, kAgentName, kAgentNameFlat}
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

// attrString returns a scalar attribute as text ("" when absent or structured).
func attrString(m pcommon.Map, key string) string {
	val, ok := m.Get(key)
	if !ok {
		return ""
	}
	return scalarText(val)
}

// spanProvider applies R10 to one span's own attributes.
func spanProvider(v *spanView) string {
	for _, k := range providerKeys {
		if raw := v.str(k); raw != "" {
			if p := normaliseProvider(raw); p != "" {
				return p
			}
		}
	}
	return ""
}

// baseMetadata fills the metadata read from the span itself, its ancestors
// and its resource; content-derived fields are added by the caller.
func (b *batch) baseMetadata(v *spanView, kind Kind) precogxapi.Metadata {
	span := v.span
	attrs, res := v.load(), &v.res.attrs
	md := precogxapi.Metadata{
		Kind:           kind.String(),
		SpanName:       span.Name(),
		Model:          attrs.first(modelKeys[:]),
		ModelProvider:  b.provider(v),
		Environment:    res.first(environmentKeys[:]),
		ServiceName:    res.str(kServiceName),
		ServiceVersion: res.str(kServiceVersion),
		AgentName:      b.agentName(v),
		Platform:       platformOpenTelemetry,
	}
	md.SessionID, md.ConversationID, md.UserID = b.lookupIDs(v)
	setIDs(&md, v.ref, span)
	if start, end := span.StartTimestamp(), span.EndTimestamp(); start != 0 && end > start {
		md.ResponseTimeMS = int64(end-start) / int64(time.Millisecond)
	}
	md.InputTokens, md.OutputTokens, md.TokensUsed = tokens(v)
	var reasons [4]string
	md.FinishReasons = b.out.strings(finishReasons(v, reasons[:0]))
	temp, hasTemp, maxTokens := requestSettings(v)
	if hasTemp {
		md.Temperature = b.out.float(temp)
	}
	md.MaxTokens = maxTokens
	if span.Status().Code() == ptrace.StatusCodeError {
		md.Status = "error"
		md.ErrorMessage = errorMessage(v)
	}
	return md
}

// setIDs writes the interaction id, trace, span and parent span ids (lower
// hex, "" when empty) and the start time of the span. They are slices of
// one string: one allocation instead of six.
func setIDs(md *precogxapi.Metadata, ref SpanRef, span ptrace.Span) {
	var buf [32 + 1 + 16 + 16 + len(timestampLayout) + 8]byte
	b := appendID(buf[:0], ref.TraceID[:])
	traceEnd := len(b)
	b = append(b, '-')
	spanStart := len(b)
	b = appendID(b, ref.SpanID[:])
	spanEnd := len(b)
	parent := span.ParentSpanID()
	b = appendID(b, parent[:])
	parentEnd := len(b)
	if start := span.StartTimestamp(); start != 0 {
		b = appendTimestamp(b, start.AsTime().UTC())
	}
	s := string(b)
	md.InteractionID = s[:spanEnd]
	md.TraceID = s[:traceEnd]
	md.SpanID = s[spanStart:spanEnd]
	md.ParentSpanID = s[spanEnd:parentEnd]
	md.Timestamp = s[parentEnd:]
}

// appendTimestamp appends t (UTC) as time.Format with timestampLayout
// does, written out by hand for the four-digit years of real spans.
func appendTimestamp(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, timestampLayout)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if micros := t.Nanosecond() / 1000; micros != 0 { // truncated, trailing zeros dropped
		b = append(b, '.')
		digits := 6
		for micros%10 == 0 {
			micros /= 10
			digits--
		}
		b = appendDigits(b, micros, digits)
	}
	return append(b, 'Z')
}

// appendDigits appends n zero-padded to width digits.
func appendDigits(b []byte, n, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[:width]...)
}

// appendID appends an id in lower hex, nothing when it is all zeros (as
// pcommon's String methods).
func appendID(dst, id []byte) []byte {
	for _, c := range id {
		if c != 0 {
			return hex.AppendEncode(dst, id)
		}
	}
	return dst
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

// lookupIDs applies R7 and R8: session, conversation and user ids are each
// the first of their keys on the span, then on its ancestors in the batch
// (nearest first), then on its resource. One walk serves the three.
func (b *batch) lookupIDs(v *spanView) (session, conversation, user string) {
	b.walkUp(v, func(a *spanView) bool {
		attrs := a.load()
		if session == "" {
			session = attrs.first(sessionKeys[:])
		}
		if conversation == "" {
			conversation = attrs.first(conversationKeys[:])
		}
		if user == "" {
			user = attrs.first(userKeys[:])
		}
		return session == "" || conversation == "" || user == ""
	})
	res := &v.res.attrs
	if session == "" {
		session = res.first(sessionKeys[:])
	}
	if conversation == "" {
		conversation = res.first(conversationKeys[:])
	}
	if user == "" {
		user = res.first(userKeys[:])
	}
	return session, conversation, user
}

// ownAgentName applies the span-level keys of R6.
func ownAgentName(v *spanView) string {
	if s := v.load().first(agentNameKeys[:]); s != "" {
		return s
	}
	if v.str(kTraceloopSpanKind) == "agent" {
		if s := v.ident(kTraceloopEntityName); s != "" {
			return s
		}
	}
	if s := v.ident(kAITelemetryFunctionID); s != "" {
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
		found = v.res.attrs.ident(kGenAIMainAgentName)
	}
	if found == "" {
		found = v.ident(kGraphNodeName)
	}
	return found
}

// tokens applies R11.
func tokens(v *spanView) (in, out, total int64) {
	in = firstCount(v, inputTokenKeys[:])
	out = firstCount(v, outputTokenKeys[:])
	total = firstCount(v, totalTokenKeys[:])
	usage := [...]struct {
		key                attrKey
		in, out, totalName string
	}{
		{kLangfuseObservationUsageDetails, "input", "output", "total"},
		{kMLflowChatTokenUsage, "input_tokens", "output_tokens", "total_tokens"},
	}
	for _, u := range usage {
		if in != 0 && out != 0 && total != 0 {
			break
		}
		m := v.decodedValue(u.key)
		if m.isNil() {
			continue
		}
		if in == 0 {
			in = positive(m.field(u.in))
		}
		if out == 0 {
			out = positive(m.field(u.out))
		}
		if total == 0 {
			total = positive(m.field(u.totalName))
		}
	}
	if total == 0 {
		total = in + out
	}
	return in, out, total
}

func firstCount(v *spanView, keys []attrKey) int64 {
	attrs := v.load()
	for _, k := range keys {
		if val, ok := attrs.get(k); ok {
			if n := positiveAttr(val); n > 0 {
				return n
			}
		}
	}
	return 0
}

// positiveAttr reads a positive count from an int, float or decimal
// string attribute.
func positiveAttr(v pcommon.Value) int64 {
	var n int64
	var ok bool
	switch v.Type() {
	case pcommon.ValueTypeInt:
		n, ok = v.Int(), true
	case pcommon.ValueTypeDouble:
		n, ok = floatToInt(v.Double())
	case pcommon.ValueTypeStr:
		n, ok = parseInt(strings.TrimSpace(v.Str()))
	}
	if ok && n > 0 {
		return n
	}
	return 0
}

func positive(x value) int64 {
	if n, ok := x.asInt(); ok && n > 0 {
		return n
	}
	return 0
}

// finishReasons appends to out gen_ai.response.finish_reasons (string
// list, JSON text or a single string), else OpenInference llm.finish_reason.
func finishReasons(v *spanView, out []string) []string {
	switch reasons := v.decodedValue(kGenAIResponseFinishReasons); reasons.kind() {
	case vArray:
		for e := reasons.first(); e.present(); e = e.next() {
			if s := e.scalarString(); s != "" {
				out = append(out, s)
			}
		}
	case vString:
		if s := reasons.str(); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		if s := v.str(kLLMFinishReason); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// requestSettings reads temperature and max tokens from gen_ai.request.*,
// OpenInference llm.invocation_parameters, Vercel ai.settings.* and Langfuse
// model parameters.
func requestSettings(v *spanView) (temp float64, hasTemp bool, maxTokens int64) {
	attrs := v.load()
	var params [2]value
	for i, k := range [...]attrKey{kLLMInvocationParameters, kLangfuseObservationModelParameters} {
		if _, ok := attrs.get(k); ok {
			params[i] = v.decodedValue(k)
		}
	}
	if temp, hasTemp = floatAttr(attrs, kGenAIRequestTemperature); !hasTemp {
		if temp, hasTemp = floatAttr(attrs, kAISettingsTemperature); !hasTemp {
			for _, p := range params {
				if temp, hasTemp = p.field("temperature").asFloat(); hasTemp {
					break
				}
			}
		}
	}
	maxTokens = firstCount(v, maxTokenKeys[:])
	for _, p := range params {
		if maxTokens > 0 {
			break
		}
		maxTokens = positive(p.firstField("max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens"))
	}
	return temp, hasTemp, maxTokens
}

// floatAttr reads a finite float from an int, float or decimal string attribute.
func floatAttr(attrs *attrSet, k attrKey) (float64, bool) {
	v, ok := attrs.get(k)
	if !ok {
		return 0, false
	}
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeInt:
		f = float64(v.Int())
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeStr:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.Str()), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// errorMessage is the status message, else the exception event's message,
// else error.type.
func errorMessage(v *spanView) string {
	span := v.span
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
	return v.str(kErrorType)
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
