package precogxapi

import (
	"encoding/json"
	"testing"
)

func TestErrorBodyConstructors(t *testing.T) {
	tests := []struct {
		name       string
		body       ErrorBody
		wantJSON   string
		wantLimit  bool
		wantString string
	}{
		{
			name:       "detail agent limit",
			body:       DetailError(AgentLimitDetail),
			wantJSON:   `{"detail":"` + AgentLimitDetail + `"}`,
			wantLimit:  true,
			wantString: AgentLimitDetail,
		},
		{
			name:       "coded agent limit",
			body:       CodedError(AgentLimitCode, AgentLimitDetail),
			wantJSON:   `{"error":{"code":"AGENT_LIMIT_EXCEEDED","message":"` + AgentLimitDetail + `"}}`,
			wantLimit:  true,
			wantString: AgentLimitDetail,
		},
		{
			name:       "detail other",
			body:       DetailError("Invalid API key"),
			wantJSON:   `{"detail":"Invalid API key"}`,
			wantString: "Invalid API key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.wantJSON {
				t.Errorf("json = %s, want %s", got, tt.wantJSON)
			}
			if IsAgentLimit(got) != tt.wantLimit {
				t.Errorf("IsAgentLimit = %v, want %v", !tt.wantLimit, tt.wantLimit)
			}
			if msg := tt.body.Message(); msg != tt.wantString {
				t.Errorf("Message() = %q, want %q", msg, tt.wantString)
			}
		})
	}
}
