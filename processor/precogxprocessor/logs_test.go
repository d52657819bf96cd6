package precogxprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadatatest"
)

func TestProcessLogs(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(*Config)
		in        plog.Logs
		want      []string // summarizeLogs of the forwarded batch; nil: nothing forwarded
		kept      int64
		dropped   counts
		randomIDs int64
	}{
		{
			name: "GenAI events are kept and stamped, other records dropped",
			in: newLogs(testLogResource{attrs: service("weather-svc"), records: []testRecord{
				userMessageEvent, appLog, choiceEventAttr,
			}}),
			want: []string{
				`weather-svc: {"content":"Weather in Paris?"} agent_id=weather-svc`,
				`weather-svc: {"index":0,"message":{"content":"It is rainy."}} agent_id=weather-svc`,
			},
			kept:    2,
			dropped: counts{"not_genai": 1},
		},
		{
			name: "keys are looked up on the record, then on its resource",
			cfg:  func(c *Config) { c.AgentID.From = []string{"gen_ai.agent.name", "service.name"} },
			in: newLogs(testLogResource{attrs: service("weather-svc"), records: []testRecord{
				userMessageEvent.with(map[string]any{"gen_ai.agent.name": " weather-agent "}),
				choiceEventAttr,
			}}),
			want: []string{
				`weather-svc: {"content":"Weather in Paris?"} agent_id=weather-agent`,
				`weather-svc: {"index":0,"message":{"content":"It is rainy."}} agent_id=weather-svc`,
			},
			kept: 2,
		},
		{
			name: "rename, default and allow apply as to spans",
			cfg: func(c *Config) {
				c.AgentID.Rename = map[string]string{"checkout-svc": "support-bot-prod"}
				c.AgentID.Default = "unnamed-agent"
				c.AgentID.Allow = []string{"support-bot-prod", "unnamed-agent"}
			},
			in: newLogs(
				testLogResource{attrs: service("checkout-svc"), records: []testRecord{userMessageEvent}},
				testLogResource{attrs: map[string]any{"host.name": "web-1"}, records: []testRecord{choiceEventAttr}},
				testLogResource{attrs: service("billing-svc"), records: []testRecord{userMessageEvent, choiceEventAttr}},
			),
			want: []string{
				`checkout-svc: {"content":"Weather in Paris?"} agent_id=support-bot-prod`,
				`-: {"index":0,"message":{"content":"It is rainy."}} agent_id=unnamed-agent`,
			},
			kept:    2,
			dropped: counts{"not_allowed": 2},
		},
		{
			name: "records without an agent id are dropped and an empty batch is not forwarded",
			in: newLogs(testLogResource{attrs: map[string]any{"host.name": "web-1"}, records: []testRecord{
				userMessageEvent, appLog,
			}}),
			dropped: counts{"no_agent_id": 1, "not_genai": 1},
		},
		{
			name: "random-looking agent ids are counted, and dropped with random_ids: drop",
			cfg:  func(c *Config) { c.AgentID.RandomIDs = RandomIDsDrop },
			in: newLogs(
				testLogResource{attrs: service(uuidAgent), records: []testRecord{userMessageEvent, choiceEventAttr}},
				testLogResource{attrs: service("weather-svc"), records: []testRecord{userMessageEvent}},
			),
			want:      []string{`weather-svc: {"content":"Weather in Paris?"} agent_id=weather-svc`},
			kept:      1,
			dropped:   counts{"random_agent_id": 2},
			randomIDs: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			require.NoError(t, confmap.Validate(cfg))
			tel := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
			sink := new(consumertest.LogsSink)
			p, err := NewFactory().CreateLogs(t.Context(), metadatatest.NewSettings(tel), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(t.Context(), componenttest.NewNopHost()))

			require.NoError(t, p.ConsumeLogs(t.Context(), tt.in))
			require.NoError(t, p.Shutdown(t.Context()))

			if tt.want == nil {
				assert.Empty(t, sink.AllLogs())
			} else {
				require.Len(t, sink.AllLogs(), 1)
				assert.Equal(t, tt.want, summarizeLogs(sink.AllLogs()[0]))
			}
			assertLogTelemetry(t, tel, tt.kept, tt.dropped, tt.randomIDs)
		})
	}
}
