package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import "go.opentelemetry.io/collector/pdata/ptrace"

// selectSpans implements SelectSpans. Resources and scopes are copied only
// when at least one of their spans is kept, so nothing empty is emitted.
func selectSpans(td ptrace.Traces, keep map[SpanRef]struct{}) ptrace.Traces {
	out := ptrace.NewTraces()
	if len(keep) == 0 {
		return out
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var outRS ptrace.ResourceSpans
		hasRS := false
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			var outSS ptrace.ScopeSpans
			hasSS := false
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				if _, ok := keep[SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}]; !ok {
					continue
				}
				if !hasRS {
					outRS = out.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(outRS.Resource())
					outRS.SetSchemaUrl(rs.SchemaUrl())
					hasRS = true
				}
				if !hasSS {
					outSS = outRS.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(outSS.Scope())
					outSS.SetSchemaUrl(ss.SchemaUrl())
					hasSS = true
				}
				span.CopyTo(outSS.Spans().AppendEmpty())
			}
		}
	}
	return out
}
