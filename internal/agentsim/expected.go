package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"encoding/json"
	"io"

	"go.opentelemetry.io/otel/trace"
)

// Expected is one interaction PrecogX must receive for a trace the simulator
// sent, derived by the collector's rules (internal/genai):
//
//   - One interaction per LLM span, and per AGENT span with content.
//   - Prompt is the last message with role user in that span's input: the
//     history and the system prompt are not part of it.
//   - Response is the assistant text of that span's output; "" when the model
//     only requested tools.
//   - ToolCalls are the calls this LLM span's output requested; each result is
//     matched by call id from the tool messages of a later LLM span's input,
//     or from the tool-execution span of the same trace.
//   - Dedup: an AGENT span (or a wrapper LLM span) whose prompt and response
//     equal those of a descendant LLM span sends nothing of its own; the
//     descendant's interaction is sent.
//
// The simulator keeps every case unambiguous: an agent or root span's input is
// exactly the user's new message and its output exactly the last model call's
// text, so it always folds into that call; tool results are identical in the
// tool span and in the next model call's input. A trace therefore yields one
// interaction per model call, in call order.
type Expected struct {
	AgentID    string             `json:"agent_id"`
	Convention Convention         `json:"convention"`
	Scenario   Scenario           `json:"scenario"`
	Prompt     string             `json:"prompt"`
	Response   string             `json:"response"`
	ToolCalls  []ExpectedToolCall `json:"tool_calls,omitempty"`
	TraceID    string             `json:"trace_id"` // hex, as pcommon.TraceID.String()
	SpanID     string             `json:"span_id"`  // the LLM span the interaction comes from
	// SessionID is the session the spans carry (gen_ai.conversation.id,
	// session.id, association properties, telemetry metadata); "" for the
	// older semantic conventions, which have no such attribute. The collector
	// reports gen_ai.conversation.id as metadata.conversation_id and the
	// others as metadata.session_id.
	SessionID string `json:"session_id,omitempty"`
}

// ExpectedToolCall is one tool call of an expected interaction.
type ExpectedToolCall struct {
	Name   string          `json:"name"`
	Params json.RawMessage `json:"params"` // a JSON object; compare with JSON equality
	Result string          `json:"result"`
}

// expectations returns the interactions of a turn whose model calls were
// recorded as the spans llmSpans (one per step, in order).
func expectations(a Agent, t *turn, llmSpans []trace.SpanContext) []Expected {
	out := make([]Expected, len(t.steps))
	for i, s := range t.steps {
		e := Expected{
			AgentID:    a.ID,
			Convention: a.Convention,
			Scenario:   t.scenario,
			Prompt:     t.prompt,
			Response:   s.text,
			TraceID:    llmSpans[i].TraceID().String(),
			SpanID:     llmSpans[i].SpanID().String(),
		}
		if a.Convention.carriesSession() {
			e.SessionID = t.sessionID
		}
		for _, c := range s.calls {
			e.ToolCalls = append(e.ToolCalls, ExpectedToolCall{
				Name:   c.name,
				Params: json.RawMessage(c.args),
				Result: c.result,
			})
		}
		out[i] = e
	}
	return out
}

// WriteJSONL writes one expectation per line.
func WriteJSONL(w io.Writer, exp []Expected) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range exp {
		if err := enc.Encode(&exp[i]); err != nil {
			return err
		}
	}
	return nil
}
