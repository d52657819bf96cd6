package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// TestOfficialInstrumentationThroughTracesAndLogs sends what the official
// @opentelemetry/instrumentation-openai emitted (spans without content, the
// content in GenAI event log records) to a collector with a traces and a
// logs pipeline into one precogx exporter, in both orders, and checks that
// PrecogX receives every call once, with its prompt, response and tool
// calls: the interactions the conversion gives when the records are on
// their spans (internal/genai's golden file).
func TestOfficialInstrumentationThroughTracesAndLogs(t *testing.T) {
	want := goldenInteractions(t, filepath.Join("..", "internal", "genai", "testdata", "golden-recorded", fixtures.OTelOpenAI+".json"))
	td := fixtures.Recorded(t, fixtures.OTelOpenAI)
	ld := fixtures.RecordedLogs(t, fixtures.OTelOpenAI)

	for _, order := range []string{"logs first", "spans first"} {
		t.Run(order, func(t *testing.T) {
			server, url := startPrecogx(t, localserver.Config{})
			col := startCollector(t, "e2e-logs.yaml", map[string]string{"PRECOGX_ENDPOINT": url, "PRECOGX_API_KEY": localserver.DefaultAPIKey})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			// The two pipelines batch on their own, so the second half is sent
			// once the first has reached the exporter: the order is the
			// exporter's, not only the sender's.
			reached := func(metric string, n int) {
				eventually(t, 15*time.Second, func() bool {
					m, err := testbed.ScrapeMetrics(ctx, col.MetricsURL)
					return err == nil && m.Sum(metric, `exporter="precogx"`) >= float64(n)
				}, "%s did not reach %d", metric, n)
			}
			if order == "logs first" {
				require.NoError(t, testbed.SendLogs(ctx, col.OTLPHTTP, ld))
				reached("otelcol_exporter_sent_log_records", ld.LogRecordCount())
				require.NoError(t, testbed.SendTraces(ctx, col.OTLPHTTP, td))
			} else {
				require.NoError(t, testbed.SendTraces(ctx, col.OTLPHTTP, td))
				reached("otelcol_exporter_sent_spans", td.SpanCount())
				require.Zero(t, server.Stats().Totals.Received, "spans without content wait for their records")
				require.NoError(t, testbed.SendLogs(ctx, col.OTLPHTTP, ld))
			}

			// Well within logs_join.wait (20s): the halves meet, nothing times out.
			eventually(t, 15*time.Second, func() bool { return server.Stats().Totals.Received >= int64(len(want)) },
				"PrecogX received %d of %d interactions", server.Stats().Totals.Received, len(want))
			time.Sleep(time.Second) // anything extra would arrive with the last batch

			got := map[string]precogxapi.Interaction{}
			for _, r := range server.Interactions() {
				id := r.Interaction.Metadata.InteractionID
				_, dup := got[id]
				assert.False(t, dup, "interaction %s arrived twice", id)
				got[id] = r.Interaction
			}
			require.Len(t, got, len(want))
			for _, w := range want {
				g, ok := got[w.Metadata.InteractionID]
				if !assert.True(t, ok, "missing %s", w.Metadata.InteractionID) {
					continue
				}
				assert.Equal(t, "otel-openai", g.AgentID)
				assert.Equal(t, w.Prompt, g.Prompt)
				assert.Equal(t, w.Response, g.Response)
				assert.Equal(t, w.Metadata.SystemPrompt, g.Metadata.SystemPrompt)
				if assert.Len(t, g.ToolCalls, len(w.ToolCalls)) {
					for i := range w.ToolCalls {
						assert.Equal(t, w.ToolCalls[i].ToolName, g.ToolCalls[i].ToolName)
						assert.JSONEq(t, string(w.ToolCalls[i].Parameters), string(g.ToolCalls[i].Parameters))
						assert.Equal(t, w.ToolCalls[i].Result, g.ToolCalls[i].Result)
					}
				}
				assert.Equal(t, w.Metadata.Model, g.Metadata.Model)
				assert.Equal(t, w.Metadata.InputTokens, g.Metadata.InputTokens)
			}
			assert.Zero(t, server.Stats().Totals.Duplicates)

			m, err := testbed.ScrapeMetrics(ctx, col.MetricsURL)
			require.NoError(t, err)
			assert.Equal(t, float64(ld.LogRecordCount()), m.Sum("otelcol_exporter_precogx_log_records", `outcome="joined"`), "in %v", m)
			assert.Zero(t, m.Sum("otelcol_exporter_precogx_log_records", `outcome="unmatched"`))
			assert.Zero(t, m.Sum("otelcol_exporter_precogx_spans_without_logs"))
			assert.Equal(t, float64(len(want)), m.Sum("otelcol_exporter_precogx_interactions_sent"))
			// Spans that met their records on arrival are sent within the
			// traces pipeline's export call; spans that waited, by the join's queue.
			joined := 0.0
			if order == "spans first" {
				joined = float64(td.SpanCount())
			}
			assert.Equal(t, joined, m.Sum("otelcol_exporter_sent_spans", `exporter="precogx/joined"`), "in %v", m)
		})
	}
}

// goldenInteractions reads the interactions of an internal/genai golden file.
func goldenInteractions(t *testing.T, path string) []precogxapi.Interaction {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var g struct {
		Batches []struct {
			Interactions []precogxapi.Interaction `json:"interactions"`
		} `json:"batches"`
	}
	require.NoError(t, json.NewDecoder(bytes.NewReader(data)).Decode(&g))
	var out []precogxapi.Interaction
	for _, b := range g.Batches {
		out = append(out, b.Interactions...)
	}
	require.NotEmpty(t, out)
	return out
}
