// Package genai reads the GenAI content that LLM instrumentation libraries put
// on spans: it classifies spans (LLM call, tool execution, agent invocation)
// and turns them into PrecogX interactions. Both components use it, so the
// processor and the exporter never disagree on what a span is.
package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// Attributes the processor writes and the exporter reads.
const (
	AttrAgentID = "precogx.agent_id"
	AttrKind    = "precogx.kind"
)

// Kind is the class of a span.
type Kind uint8

const (
	KindOther Kind = iota
	KindLLM
	KindTool
	KindAgent
)

// String returns the value written to precogx.kind ("" for KindOther).
func (k Kind) String() string {
	switch k {
	case KindLLM:
		return "llm"
	case KindTool:
		return "tool"
	case KindAgent:
		return "agent"
	}
	return ""
}

// ParseKind is the inverse of String; unknown values are KindOther.
func ParseKind(s string) Kind {
	switch s {
	case "llm":
		return KindLLM
	case "tool":
		return KindTool
	case "agent":
		return KindAgent
	}
	return KindOther
}

// Classify returns the class of a span by rule R1 of the conventions reference.
// It reads the attributes once and allocates nothing: it runs on every span.
func Classify(span ptrace.Span) Kind { return classify(span) }

// IsGenAIEvent reports whether a log record is a GenAI event: its event name,
// or its `event.name` attribute, starts with "gen_ai.".
func IsGenAIEvent(lr plog.LogRecord) bool { return isGenAIEvent(lr) }

// Options tune the conversion.
type Options struct {
	// MaxFieldBytes caps one prompt, response, chain of thought or tool value;
	// longer values are cut on a UTF-8 boundary and listed in metadata.truncated.
	// 0 means no cap.
	MaxFieldBytes int
}

// DropReason says why a span produced no interaction.
type DropReason string

const (
	DropNotLLM    DropReason = "not_llm"     // not an LLM, tool or agent span
	DropNoContent DropReason = "no_content"  // an LLM/agent span with no prompt, response or tool call
	DropNoAgentID DropReason = "no_agent_id" // neither precogx.agent_id nor service.name
)

// SpanRef names one span.
type SpanRef struct {
	TraceID pcommon.TraceID
	SpanID  pcommon.SpanID
}

// AgentBatch is one agent's interactions.
type AgentBatch struct {
	AgentID      string
	Interactions []precogxapi.Interaction
	// Sources[i] lists the spans that made Interactions[i] (the LLM or agent
	// span, the tool spans folded into it, a wrapper merged into it), so an
	// exporter can hand exactly the unsent spans back for retry.
	Sources [][]SpanRef
}

// Result of a conversion.
type Result struct {
	Batches []AgentBatch       // one per agent, in first-seen order
	Dropped map[DropReason]int // spans that produced no interaction, by reason
}

// Convert turns spans into interactions grouped by agent (see README.md for
// the rules: trailing user turn as prompt, dedup of wrapper spans, tool
// folding). Every span of td ends up either in the Sources of one
// interaction or counted in Dropped. It accepts any input: wrong value
// types, truncated or hostile JSON and invalid UTF-8 never make it fail.
func Convert(td ptrace.Traces, opts Options) Result { return convert(td, opts) }

// AgentIDOf returns the agent a span belongs to: precogx.agent_id, else the
// resource's service.name, trimmed (invalid UTF-8 repaired); "" when
// neither is set.
func AgentIDOf(span ptrace.Span, res pcommon.Resource) string { return agentIDOf(span, res) }

// SelectSpans returns a new Traces holding only the given spans, with their
// resources and scopes, empty ones pruned.
func SelectSpans(td ptrace.Traces, keep map[SpanRef]struct{}) ptrace.Traces {
	return selectSpans(td, keep)
}
