package agentsim

import (
	"context"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// canonical renders td as the sorted JSON of its resources, so two Traces
// that differ only in resource order compare equal.
func canonical(t *testing.T, td ptrace.Traces) []string {
	t.Helper()
	var out []string
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		one := ptrace.NewTraces()
		td.ResourceSpans().At(i).CopyTo(one.ResourceSpans().AppendEmpty())
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(one)
		require.NoError(t, err)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestToTracesMatchesWire sends the simulator's spans through the OTLP/HTTP
// exporter and compares what arrives with ToTraces of the same spans.
func TestToTracesMatchesWire(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	_, err := Generate(context.Background(), Config{Agents: 5, Traces: 3, Seed: 11, Environment: "staging"}, exp)
	require.NoError(t, err)
	spans := exp.GetSpans().Snapshots()

	rcv := newReceiver(t, http.StatusOK)
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	wire, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(rcv.URL+"/v1/traces"),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: transport}))
	require.NoError(t, err)
	require.NoError(t, wire.ExportSpans(context.Background(), spans))
	require.NoError(t, wire.Shutdown(context.Background()))
	require.Len(t, rcv.received(), 1)

	got := ToTraces(spans)
	assert.Equal(t, len(spans), got.SpanCount())
	assert.Equal(t, canonical(t, rcv.received()[0]), canonical(t, got))
}

func TestToTracesFields(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.30.0", attribute.String("service.name", "svc"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	tracer := tp.Tracer("scope-a", trace.WithInstrumentationVersion("1.2.3"),
		trace.WithInstrumentationAttributes(attribute.String("lib", "x")))

	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	linked := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{3}, SpanID: trace.SpanID{4}})
	start := time.Unix(1700000000, 5)
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), remote)
	_, span := tracer.Start(ctx, "op", trace.WithSpanKind(trace.SpanKindProducer), trace.WithTimestamp(start),
		trace.WithLinks(trace.Link{SpanContext: linked, Attributes: []attribute.KeyValue{attribute.Int("n", 1)}}),
		trace.WithAttributes(
			attribute.Bool("b", true), attribute.Int64("i", -7), attribute.Float64("f", 1.5), attribute.String("s", "v"),
			attribute.BoolSlice("bs", []bool{true, false}), attribute.Int64Slice("is", []int64{1, 2}),
			attribute.Float64Slice("fs", []float64{0.5}), attribute.StringSlice("ss", []string{"a", "b"}),
			attribute.ByteSlice("raw", []byte{0xde, 0xad}),
			attribute.Map("m", attribute.String("k", "v"), attribute.Slice("nested", attribute.IntValue(3))),
		))
	span.AddEvent("ev", trace.WithTimestamp(start.Add(time.Second)), trace.WithAttributes(attribute.String("e", "1")))
	span.SetStatus(codes.Error, "boom")
	span.End(trace.WithTimestamp(start.Add(2 * time.Second)))
	td := ToTraces(exp.GetSpans().Snapshots()) // before Shutdown, which empties the exporter
	require.NoError(t, tp.Shutdown(context.Background()))

	require.Equal(t, 1, td.ResourceSpans().Len())
	rs := td.ResourceSpans().At(0)
	assert.Equal(t, "https://opentelemetry.io/schemas/1.30.0", rs.SchemaUrl())
	assert.Equal(t, map[string]any{"service.name": "svc"}, rs.Resource().Attributes().AsRaw())
	ss := rs.ScopeSpans().At(0)
	assert.Equal(t, "scope-a", ss.Scope().Name())
	assert.Equal(t, "1.2.3", ss.Scope().Version())
	assert.Equal(t, map[string]any{"lib": "x"}, ss.Scope().Attributes().AsRaw())

	s := ss.Spans().At(0)
	assert.Equal(t, pcommon.TraceID{1}, s.TraceID())
	assert.Equal(t, pcommon.SpanID{2}, s.ParentSpanID())
	assert.Equal(t, uint32(0x301), s.Flags(), "sampled, parent known to be remote")
	assert.Equal(t, "op", s.Name())
	assert.Equal(t, ptrace.SpanKindProducer, s.Kind())
	assert.Equal(t, pcommon.NewTimestampFromTime(start), s.StartTimestamp())
	assert.Equal(t, 2*time.Second, s.EndTimestamp().AsTime().Sub(s.StartTimestamp().AsTime()))
	assert.Equal(t, ptrace.StatusCodeError, s.Status().Code())
	assert.Equal(t, "boom", s.Status().Message())
	assert.Equal(t, map[string]any{
		"b": true, "i": int64(-7), "f": 1.5, "s": "v",
		"bs": []any{true, false}, "is": []any{int64(1), int64(2)}, "fs": []any{0.5}, "ss": []any{"a", "b"},
		"raw": []byte{0xde, 0xad},
		"m":   map[string]any{"k": "v", "nested": []any{int64(3)}},
	}, s.Attributes().AsRaw())

	require.Equal(t, 1, s.Events().Len())
	assert.Equal(t, "ev", s.Events().At(0).Name())
	assert.Equal(t, map[string]any{"e": "1"}, s.Events().At(0).Attributes().AsRaw())
	require.Equal(t, 1, s.Links().Len())
	assert.Equal(t, pcommon.TraceID{3}, s.Links().At(0).TraceID())
	assert.Equal(t, pcommon.SpanID{4}, s.Links().At(0).SpanID())
	assert.Equal(t, map[string]any{"n": int64(1)}, s.Links().At(0).Attributes().AsRaw())
}

func TestToTracesGroupsByResourceAndScope(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	_, err := Generate(context.Background(), Config{Agents: 2, Conventions: []Convention{OTelGenAI}, Traces: 2, Seed: 1}, exp)
	require.NoError(t, err)
	td := ToTraces(exp.GetSpans().Snapshots())
	require.Equal(t, 2, td.ResourceSpans().Len(), "one resource per agent")
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		seen := map[string]bool{}
		scopes := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < scopes.Len(); j++ {
			name := scopes.At(j).Scope().Name()
			assert.False(t, seen[name], "scope %s appears once", name)
			seen[name] = true
		}
		assert.True(t, seen[scopeOTelChat] && seen[scopeOTelAgents] && seen[stacks[OTelGenAI].server], "%v", seen)
	}
}
