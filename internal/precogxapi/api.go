// Package precogxapi holds the wire types of the PrecogX ingest API, shared by
// the exporter (which sends them) and the local stand-in server (which receives
// them), so both sides agree on one definition.
package precogxapi // import "github.com/precogxai/precogx-otel/internal/precogxapi"

import (
	"encoding/json"
	"strings"
)

// API paths relative to the endpoint.
const (
	PathIngest = "/api/v1/telemetry/ingest"
	PathBatch  = "/api/v1/telemetry/batch"
)

// Header names the API reads.
const (
	HeaderAPIKey = "x-api-key"
)

// AgentLimitDetail is the exact `detail` of the 403 answered when a new
// agent_id would exceed the plan's agent limit.
const AgentLimitDetail = "Agent limit reached for your plan. Please upgrade your plan to connect additional agents."

// AgentLimitCode is the error code of the same refusal in the
// `{"error": {"code": ..., "message": ...}}` body shape.
const AgentLimitCode = "AGENT_LIMIT_EXCEEDED"

// Actions of a verdict.
const (
	ActionAllow  = "ALLOW"
	ActionReview = "REVIEW"
	ActionBlock  = "BLOCK"
)

// Interaction is one agent exchange, the unit PrecogX ingests.
type Interaction struct {
	AgentID        string     `json:"agent_id"`
	Prompt         string     `json:"prompt"`
	Response       string     `json:"response"`
	ToolCalls      []ToolCall `json:"tool_calls,omitempty"`
	ChainOfThought string     `json:"chain_of_thought,omitempty"`
	Metadata       Metadata   `json:"metadata"`
}

// ToolCall is one tool the agent called. Parameters is always a JSON object.
type ToolCall struct {
	ToolName   string          `json:"tool_name"`
	Parameters json.RawMessage `json:"parameters"`
	Result     string          `json:"result"`
}

// Metadata is the free-form context of an interaction. Keys documented by
// PrecogX keep their documented names (tokens_used, response_time_ms, ...).
type Metadata struct {
	Timestamp      string   `json:"timestamp,omitempty"` // span start, RFC 3339 UTC
	InteractionID  string   `json:"interaction_id"`      // stable: derived from trace and span id
	TraceID        string   `json:"trace_id,omitempty"`
	SpanID         string   `json:"span_id,omitempty"`
	ParentSpanID   string   `json:"parent_span_id,omitempty"`
	Kind           string   `json:"kind,omitempty"` // llm | agent | tool
	SpanName       string   `json:"span_name,omitempty"`
	Model          string   `json:"model,omitempty"`
	ModelProvider  string   `json:"model_provider,omitempty"`
	InputTokens    int64    `json:"input_tokens,omitempty"`
	OutputTokens   int64    `json:"output_tokens,omitempty"`
	TokensUsed     int64    `json:"tokens_used,omitempty"`
	ResponseTimeMS int64    `json:"response_time_ms,omitempty"`
	SessionID      string   `json:"session_id,omitempty"`
	ConversationID string   `json:"conversation_id,omitempty"`
	UserID         string   `json:"user_id,omitempty"`
	Environment    string   `json:"environment,omitempty"`
	ServiceName    string   `json:"service_name,omitempty"`
	ServiceVersion string   `json:"service_version,omitempty"`
	AgentName      string   `json:"agent_name,omitempty"`
	Status         string   `json:"status,omitempty"` // "error" when the span failed
	ErrorMessage   string   `json:"error_message,omitempty"`
	FinishReasons  []string `json:"finish_reasons,omitempty"`
	Temperature    *float64 `json:"temperature,omitempty"`
	MaxTokens      int64    `json:"max_tokens,omitempty"`
	SystemPrompt   string   `json:"system_prompt,omitempty"`
	Convention     string   `json:"convention,omitempty"` // which convention supplied the content
	Platform       string   `json:"platform,omitempty"`   // always "opentelemetry"
	Truncated      []string `json:"truncated,omitempty"`  // fields cut to max_field_bytes
}

// BatchRequest is the body of the batch endpoint.
type BatchRequest struct {
	Interactions []Interaction `json:"interactions"`
}

// Verdict is PrecogX's answer for one interaction. Every field may be absent.
type Verdict struct {
	Status        string   `json:"status,omitempty"`
	Action        string   `json:"action,omitempty"`
	RiskScore     *float64 `json:"risk_score,omitempty"`
	Flags         []string `json:"flags,omitempty"`
	InteractionID string   `json:"interactionId,omitempty"`
}

// BatchResponse is the body of a 2xx answer of the batch endpoint. Servers
// may answer with `results` or `verdicts`; both are read.
type BatchResponse struct {
	Status   string    `json:"status,omitempty"`
	Results  []Verdict `json:"results,omitempty"`
	Verdicts []Verdict `json:"verdicts,omitempty"`
	Accepted int       `json:"accepted,omitempty"`
}

// ErrorBody covers both documented error shapes:
// `{"detail": "..."}` and `{"error": {"code": "...", "message": "..."}}`.
type ErrorBody struct {
	Detail json.RawMessage `json:"detail,omitempty"`
	Error  *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// Message returns the human-readable message of an error body, or "".
func (e ErrorBody) Message() string {
	if e.Error != nil && e.Error.Message != "" {
		return e.Error.Message
	}
	var s string
	if len(e.Detail) > 0 && json.Unmarshal(e.Detail, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(e.Detail))
}

// IsAgentLimit reports whether a 403 body is the plan's agent-limit refusal.
func IsAgentLimit(body []byte) bool {
	var e ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		return false
	}
	if e.Error != nil && strings.EqualFold(e.Error.Code, AgentLimitCode) {
		return true
	}
	return strings.HasPrefix(e.Message(), "Agent limit reached")
}
