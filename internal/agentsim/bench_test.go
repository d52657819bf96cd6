package agentsim

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkGenerate measures building one trace per agent for five agents
// (all conventions) into an in-memory exporter.
func BenchmarkGenerate(b *testing.B) {
	cfg := Config{Agents: 5, Traces: 1, Seed: 1}
	b.ReportAllocs()
	for b.Loop() {
		exp := tracetest.NewInMemoryExporter()
		if _, err := Generate(context.Background(), cfg, exp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToTraces measures converting 100 traces of SDK spans to pdata.
func BenchmarkToTraces(b *testing.B) {
	exp := tracetest.NewInMemoryExporter()
	if _, err := Generate(context.Background(), Config{Agents: 5, Traces: 20, Seed: 1}, exp); err != nil {
		b.Fatal(err)
	}
	spans := exp.GetSpans().Snapshots()
	b.ReportAllocs()
	for b.Loop() {
		if td := ToTraces(spans); td.SpanCount() != len(spans) {
			b.Fatalf("converted %d of %d spans", td.SpanCount(), len(spans))
		}
	}
}
