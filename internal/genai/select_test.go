package genai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestSelectSpans(t *testing.T) {
	td := ptrace.NewTraces()
	tid := pcommon.TraceID{1}
	for r := range 2 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.37.0")
		rs.Resource().Attributes().PutStr("service.name", []string{"a", "b"}[r])
		for s := range 2 {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName([]string{"openai", "http"}[s])
			for k := range 2 {
				span := ss.Spans().AppendEmpty()
				span.SetTraceID(tid)
				span.SetSpanID(pcommon.SpanID{byte(r), byte(s), byte(k)})
				span.SetName("s")
			}
		}
	}
	keep := map[SpanRef]struct{}{
		{TraceID: tid, SpanID: pcommon.SpanID{0, 0, 1}}:                {},
		{TraceID: tid, SpanID: pcommon.SpanID{1, 1, 0}}:                {},
		{TraceID: tid, SpanID: pcommon.SpanID{1, 1, 1}}:                {},
		{TraceID: pcommon.TraceID{2}, SpanID: pcommon.SpanID{0, 0, 0}}: {}, // other trace: not kept
	}

	got := SelectSpans(td, keep)

	assert.Equal(t, 8, td.SpanCount(), "input untouched")
	assert.Equal(t, 3, got.SpanCount())
	if assert.Equal(t, 2, got.ResourceSpans().Len()) {
		rs0 := got.ResourceSpans().At(0)
		assert.Equal(t, "https://opentelemetry.io/schemas/1.37.0", rs0.SchemaUrl())
		v, _ := rs0.Resource().Attributes().Get("service.name")
		assert.Equal(t, "a", v.Str())
		assert.Equal(t, 1, rs0.ScopeSpans().Len(), "scope without kept spans pruned")
		assert.Equal(t, "openai", rs0.ScopeSpans().At(0).Scope().Name())
		assert.Equal(t, pcommon.SpanID{0, 0, 1}, rs0.ScopeSpans().At(0).Spans().At(0).SpanID())
		rs1 := got.ResourceSpans().At(1)
		assert.Equal(t, 1, rs1.ScopeSpans().Len())
		assert.Equal(t, "http", rs1.ScopeSpans().At(0).Scope().Name())
		assert.Equal(t, 2, rs1.ScopeSpans().At(0).Spans().Len())
	}

	assert.Zero(t, SelectSpans(td, nil).SpanCount())
	assert.Zero(t, SelectSpans(td, nil).ResourceSpans().Len())
}
