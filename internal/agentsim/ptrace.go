package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Flag bits of an OTLP span, above the W3C trace flags.
const (
	flagContextHasIsRemote = 0x100
	flagContextIsRemote    = 0x200
)

// ToTraces converts SDK spans into pdata, grouped by resource and then by
// instrumentation scope in order of first appearance: the same data the
// OTLP exporters put on the wire, so benchmarks and tests can feed a
// collector component without a network.
func ToTraces(spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	td := ptrace.NewTraces()
	type scopeKey struct {
		res   attribute.Distinct
		scope instrumentation.Scope
	}
	resources := map[attribute.Distinct]ptrace.ResourceSpans{}
	scopes := map[scopeKey]ptrace.SpanSlice{}
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		res := sd.Resource()
		rk := res.Equivalent()
		rs, ok := resources[rk]
		if !ok {
			rs = td.ResourceSpans().AppendEmpty()
			rs.SetSchemaUrl(res.SchemaURL())
			putAttributes(rs.Resource().Attributes(), res.Attributes())
			resources[rk] = rs
		}
		sk := scopeKey{rk, sd.InstrumentationScope()}
		slice, ok := scopes[sk]
		if !ok {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.SetSchemaUrl(sk.scope.SchemaURL)
			ss.Scope().SetName(sk.scope.Name)
			ss.Scope().SetVersion(sk.scope.Version)
			putAttributes(ss.Scope().Attributes(), sk.scope.Attributes.ToSlice())
			slice = ss.Spans()
			scopes[sk] = slice
		}
		convertSpan(slice.AppendEmpty(), sd)
	}
	return td
}

func convertSpan(dst ptrace.Span, sd sdktrace.ReadOnlySpan) {
	sc := sd.SpanContext()
	dst.SetTraceID(pcommon.TraceID(sc.TraceID()))
	dst.SetSpanID(pcommon.SpanID(sc.SpanID()))
	dst.TraceState().FromRaw(sc.TraceState().String())
	parent := sd.Parent()
	if parent.SpanID().IsValid() {
		dst.SetParentSpanID(pcommon.SpanID(parent.SpanID()))
	}
	dst.SetFlags(spanFlags(sc.TraceFlags(), parent))
	dst.SetName(sd.Name())
	dst.SetKind(spanKind(sd.SpanKind()))
	dst.SetStartTimestamp(timestamp(sd.StartTime()))
	dst.SetEndTimestamp(timestamp(sd.EndTime()))
	putAttributes(dst.Attributes(), sd.Attributes())
	dst.SetDroppedAttributesCount(clampCount(sd.DroppedAttributes()))
	dst.SetDroppedEventsCount(clampCount(sd.DroppedEvents()))
	dst.SetDroppedLinksCount(clampCount(sd.DroppedLinks()))

	for _, ev := range sd.Events() {
		e := dst.Events().AppendEmpty()
		e.SetName(ev.Name)
		e.SetTimestamp(timestamp(ev.Time))
		putAttributes(e.Attributes(), ev.Attributes)
		e.SetDroppedAttributesCount(clampCount(ev.DroppedAttributeCount))
	}
	for _, l := range sd.Links() {
		dl := dst.Links().AppendEmpty()
		dl.SetTraceID(pcommon.TraceID(l.SpanContext.TraceID()))
		dl.SetSpanID(pcommon.SpanID(l.SpanContext.SpanID()))
		dl.TraceState().FromRaw(l.SpanContext.TraceState().String())
		dl.SetFlags(spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
		putAttributes(dl.Attributes(), l.Attributes)
		dl.SetDroppedAttributesCount(clampCount(l.DroppedAttributeCount))
	}

	st := sd.Status()
	dst.Status().SetMessage(st.Description)
	switch st.Code {
	case codes.Ok:
		dst.Status().SetCode(ptrace.StatusCodeOk)
	case codes.Error:
		dst.Status().SetCode(ptrace.StatusCodeError)
	default:
		dst.Status().SetCode(ptrace.StatusCodeUnset)
	}
}

// spanFlags are the W3C trace flags plus whether the parent is remote, as the
// OTLP exporters record them.
func spanFlags(tf trace.TraceFlags, parent trace.SpanContext) uint32 {
	flags := uint32(tf) | flagContextHasIsRemote
	if parent.IsRemote() {
		flags |= flagContextIsRemote
	}
	return flags
}

func spanKind(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindInternal:
		return ptrace.SpanKindInternal
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	}
	return ptrace.SpanKindUnspecified
}

func timestamp(t time.Time) pcommon.Timestamp {
	if t.IsZero() || t.UnixNano() < 0 {
		return 0
	}
	return pcommon.NewTimestampFromTime(t)
}

func clampCount(n int) uint32 {
	switch {
	case n < 0:
		return 0
	case int64(n) > math.MaxUint32:
		return math.MaxUint32
	}
	return uint32(n)
}

func putAttributes(dst pcommon.Map, attrs []attribute.KeyValue) {
	dst.EnsureCapacity(len(attrs))
	for _, kv := range attrs {
		putValue(dst.PutEmpty(string(kv.Key)), kv.Value)
	}
}

func putValue(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.BOOL:
		dst.SetBool(v.AsBool())
	case attribute.INT64:
		dst.SetInt(v.AsInt64())
	case attribute.FLOAT64:
		dst.SetDouble(v.AsFloat64())
	case attribute.STRING:
		dst.SetStr(v.AsString())
	case attribute.BYTESLICE:
		dst.SetEmptyBytes().FromRaw(v.AsByteSlice())
	case attribute.BOOLSLICE:
		s := dst.SetEmptySlice()
		for _, b := range v.AsBoolSlice() {
			s.AppendEmpty().SetBool(b)
		}
	case attribute.INT64SLICE:
		s := dst.SetEmptySlice()
		for _, i := range v.AsInt64Slice() {
			s.AppendEmpty().SetInt(i)
		}
	case attribute.FLOAT64SLICE:
		s := dst.SetEmptySlice()
		for _, f := range v.AsFloat64Slice() {
			s.AppendEmpty().SetDouble(f)
		}
	case attribute.STRINGSLICE:
		s := dst.SetEmptySlice()
		for _, str := range v.AsStringSlice() {
			s.AppendEmpty().SetStr(str)
		}
	case attribute.SLICE:
		s := dst.SetEmptySlice()
		for _, e := range v.AsSlice() {
			putValue(s.AppendEmpty(), e)
		}
	case attribute.MAP:
		putAttributes(dst.SetEmptyMap(), v.AsMap())
	}
	// attribute.EMPTY stays an empty value, as on the wire.
}
