package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// validUTF8 repairs invalid UTF-8 with U+FFFD; valid strings are returned
// without copying.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// sanitize repairs every string of an interaction. Tool parameters are
// already valid JSON built from repaired text (encodeParams).
func sanitize(in *precogxapi.Interaction) {
	for _, s := range []*string{&in.AgentID, &in.Prompt, &in.Response, &in.ChainOfThought} {
		*s = validUTF8(*s)
	}
	for i := range in.ToolCalls {
		tc := &in.ToolCalls[i]
		tc.ToolName = validUTF8(tc.ToolName)
		tc.Result = validUTF8(tc.Result)
	}
	md := &in.Metadata
	for _, s := range []*string{
		&md.SpanName, &md.Model, &md.ModelProvider, &md.SessionID, &md.ConversationID, &md.UserID,
		&md.Environment, &md.ServiceName, &md.ServiceVersion, &md.AgentName, &md.ErrorMessage,
		&md.SystemPrompt, &md.Timestamp,
	} {
		*s = validUTF8(*s)
	}
	for i, r := range md.FinishReasons {
		md.FinishReasons[i] = validUTF8(r)
	}
}

// cut returns s shortened to at most max bytes on a UTF-8 boundary.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// truncate caps the content fields at max bytes (0: no cap) and lists the
// cut fields in metadata.truncated. A cut parameters value stays a JSON
// object: {"truncated": "<first bytes of the JSON text>"}.
func truncate(in *precogxapi.Interaction, max int) {
	if max <= 0 {
		return
	}
	md := &in.Metadata
	capField := func(name string, s *string) {
		if len(*s) > max {
			*s = cut(*s, max)
			md.Truncated = append(md.Truncated, name)
		}
	}
	capField("prompt", &in.Prompt)
	capField("response", &in.Response)
	capField("chain_of_thought", &in.ChainOfThought)
	capField("system_prompt", &md.SystemPrompt)
	for i := range in.ToolCalls {
		tc := &in.ToolCalls[i]
		prefix := func() string { return "tool_calls[" + strconv.Itoa(i) + "]." }
		if len(tc.Parameters) > max {
			b, err := json.Marshal(map[string]string{"truncated": cut(string(tc.Parameters), max)})
			if err == nil {
				tc.Parameters = b
				md.Truncated = append(md.Truncated, prefix()+"parameters")
			}
		}
		if len(tc.Result) > max {
			capField(prefix()+"result", &tc.Result)
		}
	}
}
