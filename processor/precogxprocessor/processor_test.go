package precogxprocessor

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadatatest"
)

const (
	uuidAgent = "agent-6f1c2b1e-8d4a-4c3e-9a7b-2f5e8c1d0a9b"
	runAgent  = "run-1733412345"
)

func TestProcessTraces(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(*Config)
		in        ptrace.Traces
		want      []string // summarize of the forwarded batch; nil: nothing forwarded
		kept      counts   // by kind
		dropped   counts   // by reason
		randomIDs int64
	}{
		{
			name: "every convention's LLM, tool and agent spans are kept and stamped",
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{
				{otelChat, otelTool, otelAgent},
				{openLLMetryChat, openLLMetryTool, openInferenceLLM, openInferenceAgent},
				{vercelGenerate, vercelDoGenerate, vercelToolCall},
			}}),
			want: []string{
				"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm",
				"weather-svc/scope0/execute_tool get_weather agent_id=weather-svc kind=tool",
				"weather-svc/scope0/invoke_agent weather-agent agent_id=weather-svc kind=agent",
				"weather-svc/scope1/openai.chat agent_id=weather-svc kind=llm",
				"weather-svc/scope1/get_weather.tool agent_id=weather-svc kind=tool",
				"weather-svc/scope1/OpenAI Chat Completions agent_id=weather-svc kind=llm",
				"weather-svc/scope1/AgentExecutor agent_id=weather-svc kind=agent",
				"weather-svc/scope2/ai.generateText agent_id=weather-svc kind=agent",
				"weather-svc/scope2/ai.generateText.doGenerate agent_id=weather-svc kind=llm",
				"weather-svc/scope2/ai.toolCall agent_id=weather-svc kind=tool",
			},
			kept: counts{"llm": 4, "tool": 3, "agent": 3},
		},
		{
			name: "HTTP, DB, embedding, workflow and chain spans are dropped even when stamped with an agent",
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{
				{httpSpan, otelChat, dbSpan},
				{otelEmbeddings, openLLMetryWorkflow, openInferenceChain},
			}}),
			want:    []string{"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm"},
			kept:    counts{"llm": 1},
			dropped: counts{"not_llm": 5},
		},
		{
			name: "a key on the span wins over later keys; the resource answers when the span has none",
			cfg:  func(c *Config) { c.AgentID.From = []string{"gen_ai.agent.name", "service.name"} },
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{
				{otelAgent, otelTool},
			}}),
			want: []string{
				"weather-svc/scope0/invoke_agent weather-agent agent_id=weather-agent kind=agent",
				"weather-svc/scope0/execute_tool get_weather agent_id=weather-svc kind=tool",
			},
			kept: counts{"agent": 1, "tool": 1},
		},
		{
			name: "each key is looked up on the resource before the next key",
			cfg:  func(c *Config) { c.AgentID.From = []string{"gen_ai.agent.name", "service.name"} },
			in: newTraces(testResource{
				attrs:  map[string]any{"service.name": "weather-svc", "gen_ai.agent.name": "main-agent"},
				scopes: [][]testSpan{{otelChat.with(map[string]any{"service.name": "span-svc"})}},
			}),
			want: []string{"weather-svc/scope0/chat gpt-4o agent_id=main-agent kind=llm"},
			kept: counts{"llm": 1},
		},
		{
			name: "non-string and blank values are skipped and found values trimmed",
			cfg:  func(c *Config) { c.AgentID.From = []string{"gen_ai.agent.name", "agent.name", "service.name"} },
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{
				otelChat.with(map[string]any{"gen_ai.agent.name": 42, "agent.name": []any{"support-bot"}}),
				otelTool.with(map[string]any{"gen_ai.agent.name": " \t", "agent.name": "  support-bot \n"}),
			}}}),
			want: []string{
				"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm",
				"weather-svc/scope0/execute_tool get_weather agent_id=support-bot kind=tool",
			},
			kept: counts{"llm": 1, "tool": 1},
		},
		{
			name: "an agent id stamped upstream is replaced",
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{
				otelChat.with(map[string]any{"precogx.agent_id": "stale", "precogx.kind": "tool"}),
			}}}),
			want: []string{"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm"},
			kept: counts{"llm": 1},
		},
		{
			name: "rename maps a found value to the agent id to use",
			cfg:  func(c *Config) { c.AgentID.Rename = map[string]string{"checkout-svc": "support-bot-prod"} },
			in: newTraces(
				testResource{attrs: service("checkout-svc"), scopes: [][]testSpan{{otelChat}}},
				testResource{attrs: service("billing-svc"), scopes: [][]testSpan{{otelChat}}},
			),
			want: []string{
				"checkout-svc/scope0/chat gpt-4o agent_id=support-bot-prod kind=llm",
				"billing-svc/scope0/chat gpt-4o agent_id=billing-svc kind=llm",
			},
			kept: counts{"llm": 2},
		},
		{
			name: "default names the spans where no key matched",
			cfg:  func(c *Config) { c.AgentID.Default = "unnamed-agent" },
			in: newTraces(testResource{
				attrs:  map[string]any{"host.name": "web-1"},
				scopes: [][]testSpan{{otelChat}},
			}),
			want: []string{"-/scope0/chat gpt-4o agent_id=unnamed-agent kind=llm"},
			kept: counts{"llm": 1},
		},
		{
			name: "without a default, spans with no agent id are dropped",
			in: newTraces(
				testResource{attrs: map[string]any{"host.name": "web-1"}, scopes: [][]testSpan{{otelChat, otelTool}}},
				testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{otelAgent}}},
			),
			want:    []string{"weather-svc/scope0/invoke_agent weather-agent agent_id=weather-svc kind=agent"},
			kept:    counts{"agent": 1},
			dropped: counts{"no_agent_id": 2},
		},
		{
			name: "allow lets only the listed agents through, after rename",
			cfg: func(c *Config) {
				c.AgentID.Rename = map[string]string{"checkout-svc": "support-bot-prod"}
				c.AgentID.Allow = []string{"support-bot-prod"}
			},
			in: newTraces(
				testResource{attrs: service("checkout-svc"), scopes: [][]testSpan{{otelChat}}},
				testResource{attrs: service("billing-svc"), scopes: [][]testSpan{{otelChat, otelTool}}},
				testResource{attrs: service("support-bot-prod"), scopes: [][]testSpan{{otelAgent}}},
			),
			want: []string{
				"checkout-svc/scope0/chat gpt-4o agent_id=support-bot-prod kind=llm",
				"support-bot-prod/scope0/invoke_agent weather-agent agent_id=support-bot-prod kind=agent",
			},
			kept:    counts{"llm": 1, "agent": 1},
			dropped: counts{"not_allowed": 2},
		},
		{
			name: "random-looking agent ids are kept and each distinct one counted",
			in: newTraces(
				testResource{attrs: service(uuidAgent), scopes: [][]testSpan{{otelChat, otelTool}}},
				testResource{attrs: service(runAgent), scopes: [][]testSpan{{otelChat}}},
			),
			want: []string{
				uuidAgent + "/scope0/chat gpt-4o agent_id=" + uuidAgent + " kind=llm",
				uuidAgent + "/scope0/execute_tool get_weather agent_id=" + uuidAgent + " kind=tool",
				runAgent + "/scope0/chat gpt-4o agent_id=" + runAgent + " kind=llm",
			},
			kept:      counts{"llm": 2, "tool": 1},
			randomIDs: 2,
		},
		{
			name: "random_ids: drop drops them",
			cfg:  func(c *Config) { c.AgentID.RandomIDs = RandomIDsDrop },
			in: newTraces(
				testResource{attrs: service(uuidAgent), scopes: [][]testSpan{{otelChat, otelTool}}},
				testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{otelChat}}},
			),
			want:      []string{"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm"},
			kept:      counts{"llm": 1},
			dropped:   counts{"random_agent_id": 2},
			randomIDs: 1,
		},
		{
			name: "ids chosen in the configuration are not judged random",
			cfg: func(c *Config) {
				c.AgentID.RandomIDs = RandomIDsDrop
				c.AgentID.Rename = map[string]string{uuidAgent: "support-bot"}
				c.AgentID.Allow = []string{"support-bot", runAgent}
			},
			in: newTraces(
				testResource{attrs: service(uuidAgent), scopes: [][]testSpan{{otelChat}}},
				testResource{attrs: service(runAgent), scopes: [][]testSpan{{otelChat}}},
			),
			want: []string{
				uuidAgent + "/scope0/chat gpt-4o agent_id=support-bot kind=llm",
				runAgent + "/scope0/chat gpt-4o agent_id=" + runAgent + " kind=llm",
			},
			kept: counts{"llm": 2},
		},
		{
			name: "spans: all keeps every span with an agent id and classes only GenAI ones",
			cfg:  func(c *Config) { c.Spans = SpansAll },
			in: newTraces(
				testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{
					httpSpan.with(map[string]any{"precogx.kind": "llm"}), otelChat, dbSpan,
				}}},
				testResource{attrs: map[string]any{"host.name": "web-1"}, scopes: [][]testSpan{{httpSpan}}},
			),
			want: []string{
				"weather-svc/scope0/GET /api/orders agent_id=weather-svc",
				"weather-svc/scope0/chat gpt-4o agent_id=weather-svc kind=llm",
				"weather-svc/scope0/SELECT orders agent_id=weather-svc",
			},
			kept:    counts{"other": 2, "llm": 1},
			dropped: counts{"no_agent_id": 1},
		},
		{
			name: "scopes and resources left empty are pruned",
			in: newTraces(
				testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{httpSpan}, {otelChat}, {}}},
				testResource{attrs: service("orders-db"), scopes: [][]testSpan{{dbSpan}}},
				testResource{attrs: service("idle")},
			),
			want:    []string{"weather-svc/scope1/chat gpt-4o agent_id=weather-svc kind=llm"},
			kept:    counts{"llm": 1},
			dropped: counts{"not_llm": 2},
		},
		{
			name: "a batch left empty is not forwarded",
			in: newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{
				{httpSpan, dbSpan}, {otelEmbeddings},
			}}),
			dropped: counts{"not_llm": 3},
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
			sink := new(consumertest.TracesSink)
			p, err := NewFactory().CreateTraces(t.Context(), metadatatest.NewSettings(tel), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(t.Context(), componenttest.NewNopHost()))

			require.NoError(t, p.ConsumeTraces(t.Context(), tt.in))
			require.NoError(t, p.Shutdown(t.Context()))

			if tt.want == nil {
				assert.Empty(t, sink.AllTraces())
			} else {
				require.Len(t, sink.AllTraces(), 1)
				assert.Equal(t, tt.want, summarize(sink.AllTraces()[0]))
			}
			assertSpanTelemetry(t, tel, tt.kept, tt.dropped, tt.randomIDs)
		})
	}
}

func TestProcessTracesSkipsEmptyBatches(t *testing.T) {
	p := newTestTracesProcessor(t, createDefaultConfig().(*Config))

	td, err := p.processTraces(t.Context(), newTraces(testResource{attrs: service("weather-svc"), scopes: [][]testSpan{{httpSpan}}}))
	assert.ErrorIs(t, err, processorhelper.ErrSkipProcessingData)
	assert.Equal(t, 0, td.ResourceSpans().Len())

	_, err = p.processTraces(t.Context(), ptrace.NewTraces())
	assert.ErrorIs(t, err, processorhelper.ErrSkipProcessingData)
}

func TestCapabilities(t *testing.T) {
	cfg := createDefaultConfig()
	set := processortest.NewNopSettings(metadata.Type)
	tp, err := NewFactory().CreateTraces(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.True(t, tp.Capabilities().MutatesData)
	lp, err := NewFactory().CreateLogs(t.Context(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.True(t, lp.Capabilities().MutatesData)
}

// newTestTracesProcessor builds the processor without processorhelper, so
// tests and benchmarks see processTraces' own result.
func newTestTracesProcessor(tb testing.TB, cfg *Config) *tracesProcessor {
	tb.Helper()
	telemetry, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	require.NoError(tb, err)
	return newTracesProcessor(cfg, zap.NewNop(), telemetry)
}

// TestProcessTracesDoesNotAllocatePerSpan re-processes a stamped batch, where
// pdata has nothing to allocate either: what remains is the processor's own
// per-batch cost, which must not grow with the number of spans.
func TestProcessTracesDoesNotAllocatePerSpan(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.AgentID.From = []string{"gen_ai.agent.name", "service.name"}
	cfg.Spans = SpansAll
	p := newTestTracesProcessor(t, cfg)
	td := mixedBatch()
	_, err := p.processTraces(t.Context(), td)
	require.NoError(t, err)

	allocs := testing.AllocsPerRun(20, func() {
		_, err = p.processTraces(t.Context(), td)
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, allocs, 4.0, "allocations for %d spans", td.SpanCount())
}

// TestProcessTracesConcurrently feeds one processor from several goroutines,
// as receivers do, with agent ids that all look random, so the shared
// memory of reported ids is exercised under the race detector.
func TestProcessTracesConcurrently(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(t.Context(), metadatatest.NewSettings(tel), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(t.Context(), componenttest.NewNopHost()))

	const workers, batches = 4, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range batches {
				id := fmt.Sprintf("agent-%08x-0000-4000-8000-%012x", i, w)
				assert.NoError(t, p.ConsumeTraces(t.Context(), newTraces(
					testResource{attrs: service(id), scopes: [][]testSpan{{otelChat, httpSpan}}},
				)))
			}
		})
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(t.Context()))

	assert.Equal(t, workers*batches, sink.SpanCount())
	assertSpanTelemetry(t, tel, counts{"llm": workers * batches}, counts{"not_llm": workers * batches}, workers*batches)
}
