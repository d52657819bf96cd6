package precogxprocessor

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		id           component.ID
		expected     component.Config
		errorMessage string
	}{
		{
			id:       component.NewID(metadata.Type),
			expected: createDefaultConfig(),
		},
		{
			id: component.NewIDWithName(metadata.Type, "custom"),
			expected: &Config{
				AgentID: AgentIDConfig{
					From:      []string{"gen_ai.agent.name", "service.name"},
					Rename:    map[string]string{"checkout-svc": "support-bot-prod"},
					Default:   "unnamed-agent",
					Allow:     []string{"support-bot-prod", "unnamed-agent"},
					RandomIDs: RandomIDsDrop,
				},
				Spans: SpansLLM,
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "all"),
			expected: &Config{
				AgentID: AgentIDConfig{From: []string{"service.name"}, RandomIDs: RandomIDsWarn},
				Spans:   SpansAll,
			},
		},
		{
			id:           component.NewIDWithName(metadata.Type, "empty_from"),
			errorMessage: `agent_id: "from" must list at least one attribute key, e.g. [service.name]`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "empty_key"),
			errorMessage: `agent_id: "from" lists an empty key: remove it or name an attribute`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "duplicate_key"),
			errorMessage: `agent_id: "from" lists "service.name" twice: remove the duplicate`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "unknown_spans"),
			errorMessage: `spans: "genai" is not a span selection: use "llm" (LLM calls, tool executions, agent invocations) or "all" (every span)`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "unknown_random_ids"),
			errorMessage: `agent_id::random_ids: "ignore" is not a policy: use "warn" (keep the item, log the agent id once) or "drop"`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "empty_rename_target"),
			errorMessage: `agent_id: "rename" maps "checkout-svc" to "", which is empty`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "blank_default"),
			errorMessage: `agent_id: "default" "  " is empty; leave it unset to drop items without an agent id`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "empty_allow_entry"),
			errorMessage: `agent_id: "allow" lists "", which is empty`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "padded_allow_entry"),
			errorMessage: `agent_id: "allow" lists " support-bot-prod", which has leading or trailing spaces (agent ids are trimmed)`,
		},
		{
			id:           component.NewIDWithName(metadata.Type, "default_not_allowed"),
			errorMessage: `agent_id: "default" "unnamed-agent" is not in "allow", so items without an agent id could never pass: add it to "allow" or change "default"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			if tt.errorMessage != "" {
				assert.EqualError(t, confmap.Validate(cfg), tt.errorMessage)
				return
			}
			assert.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.expected, cfg)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := &Config{
		AgentID: AgentIDConfig{
			From:      []string{"service.name", "", "service.name"},
			Rename:    map[string]string{"b": " ", " a": "x"},
			RandomIDs: RandomIDsWarn,
		},
		Spans: SpansLLM,
	}
	assert.EqualError(t, confmap.Validate(cfg), `agent_id: "from" lists an empty key: remove it or name an attribute
"from" lists "service.name" twice: remove the duplicate
"rename" has a key " a", which has leading or trailing spaces (agent ids are trimmed)
"rename" maps "b" to " ", which is empty`)
}
