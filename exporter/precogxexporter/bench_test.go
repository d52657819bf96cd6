package precogxexporter

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// benchResult is 10 agents with 100 interactions each, with prompts and
// responses of about a kilobyte.
func benchResult() genai.Result {
	text := strings.Repeat("lorem ipsum <dolor> & sit amet ", 32)
	var res genai.Result
	for a := range 10 {
		b := genai.AgentBatch{AgentID: fmt.Sprintf("agent-%d", a)}
		for i := range 100 {
			b.Interactions = append(b.Interactions, precogxapi.Interaction{
				AgentID:  b.AgentID,
				Prompt:   text,
				Response: text,
				Metadata: precogxapi.Metadata{InteractionID: fmt.Sprintf("%d-%d", a, i), Model: "gpt-4o", Platform: "opentelemetry"},
			})
			b.Sources = append(b.Sources, []genai.SpanRef{{}})
		}
		res.Batches = append(res.Batches, b)
	}
	return res
}

// BenchmarkPush measures the send path: encoding, packing and HTTP to a
// local server that only reads the body.
func BenchmarkPush(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"status":"success"}`)
	}))
	defer srv.Close()

	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = srv.URL
	cfg.APIKey = testAPIKey
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(b, tel.Shutdown(context.Background())) }()
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	exp, err := newExporter(cfg, set)
	require.NoError(b, err)
	res := benchResult()
	exp.convert = func(ptrace.Traces, genai.Options) genai.Result { return res }
	require.NoError(b, exp.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(b, exp.shutdown(context.Background())) }()

	td := ptrace.NewTraces()
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.pushTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/interaction")
}

// BenchmarkEncodeAndPack measures the CPU part of the send path alone.
func BenchmarkEncodeAndPack(b *testing.B) {
	batch := benchResult().Batches[0]
	b.ReportAllocs()
	for b.Loop() {
		enc, _ := encodeInteractions(batch.Interactions)
		requests, _ := enc.pack(defaultMaxInteractionsPerRequest, defaultMaxRequestBytes)
		for _, idx := range requests {
			_ = enc.batchBody(idx)
		}
	}
}
