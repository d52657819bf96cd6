package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// GenAI event log records as span events (rule R0).
//
// Some instrumentations, the official OpenTelemetry OpenAI instrumentation
// among them, put prompts and responses only in GenAI event log records that
// carry the trace and span id of the LLM span. A record becomes an event of
// its span named like the record, whose attributes are the record's
// attributes plus the fields of its body: the shape of the span events other
// libraries emit, which the readers of events.go already understand. Convert
// then reads content from logs exactly as from spans.

// attrEventName is the attribute that names an event in SDKs that leave the
// LogRecord EventName field empty (JS instrumentation-openai, Python contrib).
const attrEventName = "event.name"

// Content attributes of gen_ai.client.inference.operation.details.
const (
	attrInputMessages  = "gen_ai.input.messages"
	attrOutputMessages = "gen_ai.output.messages"
)

// LogEventName returns the event name of a log record: its EventName field,
// else its event.name attribute.
func LogEventName(lr plog.LogRecord) string {
	if name := lr.EventName(); name != "" {
		return name
	}
	if v, ok := lr.Attributes().Get(attrEventName); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// LogContent says which halves of a model call GenAI event records carry.
type LogContent uint8

const (
	// LogInput: the messages sent to the model (system, user, assistant and
	// tool messages, or the input of an operation-details record).
	LogInput LogContent = 1 << iota
	// LogOutput: the model's answer (gen_ai.choice, or the output of an
	// operation-details record).
	LogOutput
)

// Complete reports whether both halves are there. An instrumentation emits
// the input records before the call and the output records after it, so a
// call whose records are complete has all of them.
func (c LogContent) Complete() bool { return c&(LogInput|LogOutput) == LogInput|LogOutput }

// LogContentOf says which half of a call a GenAI event record carries.
// Records emitted with content capture off still count: their names say
// which half they stand for.
func LogContentOf(lr plog.LogRecord) LogContent {
	switch LogEventName(lr) {
	case "gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message",
		eventContentPrompt:
		return LogInput
	case eventChoice, eventContentCompletion:
		return LogOutput
	case eventOperationDetails:
		var c LogContent
		if _, ok := lr.Attributes().Get(attrInputMessages); ok {
			c |= LogInput
		}
		if _, ok := lr.Attributes().Get(attrOutputMessages); ok {
			c |= LogOutput
		}
		return c
	}
	return 0
}

// AttachLogs appends every record of ld to span as a span event, in the
// order of their timestamps (ties keep their order in ld). The caller
// passes only records of span. It returns how many it attached.
//
// The event is named like the record; its attributes are the record's
// attributes plus the fields of a map body, one level deep, structured
// values kept as they are (body {"content": ..., "tool_calls": [...]} gives
// attributes content and tool_calls; body fields win over attributes of the
// same key). Any other non-empty body becomes the attribute content. The
// official JS instrumentation splits one gen_ai.client.inference.operation.details
// event into an input and an output record: they are merged back into the
// span's one event of that name, which is how the semantic conventions
// define it and how the span-event reader expects it.
func AttachLogs(span ptrace.Span, ld plog.Logs) int {
	records := logRecords(ld)
	attachRecords(span, records)
	return len(records)
}

func attachRecords(span ptrace.Span, records []plog.LogRecord) {
	events := span.Events()
	for _, lr := range records {
		name := LogEventName(lr)
		if name == eventOperationDetails {
			if ev, ok := findEvent(events, name); ok {
				mergeMissing(ev.Attributes(), lr)
				continue
			}
		}
		ev := events.AppendEmpty()
		ev.SetName(name)
		ev.SetTimestamp(logTime(lr))
		putRecordAttributes(ev.Attributes(), lr)
	}
}

// AppendLogSpan appends to td a stand-in LLM span for the records of ld,
// all of one (trace id, span id), whose span never came: it has their trace
// and span id, the resource and scope of the first records in ld, their
// precogx.agent_id and metadata attributes (provider, model, usage, ...),
// their time range, and the records as events (see AttachLogs). Convert
// makes of it the interaction the span would have given, with the content
// the records carry.
func AppendLogSpan(td ptrace.Traces, ld plog.Logs) {
	records := logRecords(ld)
	if len(records) == 0 {
		return
	}
	rl := firstResourceLogs(ld)
	rs := td.ResourceSpans().AppendEmpty()
	rl.Resource().CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	if sl := firstScopeLogs(rl); sl.LogRecords().Len() > 0 {
		sl.Scope().CopyTo(ss.Scope())
	}
	span := ss.Spans().AppendEmpty()
	first := records[0]
	span.SetTraceID(first.TraceID())
	span.SetSpanID(first.SpanID())
	span.SetKind(ptrace.SpanKindClient)
	span.SetStartTimestamp(logTime(first))
	span.SetEndTimestamp(logTime(records[len(records)-1]))

	attrs := span.Attributes()
	for _, lr := range records {
		lr.Attributes().Range(func(k string, v pcommon.Value) bool {
			if _, seen := attrs.Get(k); !seen && !contentAttribute(k) {
				v.CopyTo(attrs.PutEmpty(k))
			}
			return true
		})
	}
	attrs.Remove(attrEventName)
	attrs.PutStr(AttrKind, KindLLM.String())
	if op, ok := attrs.Get("gen_ai.operation.name"); ok && op.Type() == pcommon.ValueTypeStr {
		span.SetName(op.Str())
	}
	attachRecords(span, records)
}

// contentAttribute reports keys that carry content: they stay on the events
// (one source of content per record), never on the stand-in span.
func contentAttribute(k string) bool {
	switch k {
	case attrInputMessages, attrOutputMessages, "gen_ai.system_instructions", "gen_ai.tool.definitions",
		"gen_ai.prompt", "gen_ai.completion":
		return true
	}
	return false
}

// logRecords lists the records of ld in timestamp order, stable.
func logRecords(ld plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, lr)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b plog.LogRecord) int {
		ta, tb := logTime(a), logTime(b)
		switch {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		}
		return 0
	})
	return out
}

// logTime is when the event happened: Timestamp, else ObservedTimestamp.
func logTime(lr plog.LogRecord) pcommon.Timestamp {
	if ts := lr.Timestamp(); ts != 0 {
		return ts
	}
	return lr.ObservedTimestamp()
}

func findEvent(events ptrace.SpanEventSlice, name string) (ptrace.SpanEvent, bool) {
	for _, ev := range events.All() {
		if ev.Name() == name {
			return ev, true
		}
	}
	return ptrace.SpanEvent{}, false
}

// putRecordAttributes writes the attributes and body fields of lr into dst.
func putRecordAttributes(dst pcommon.Map, lr plog.LogRecord) {
	dst.EnsureCapacity(lr.Attributes().Len() + bodyFields(lr.Body()))
	lr.Attributes().CopyTo(dst)
	body := lr.Body()
	switch body.Type() {
	case pcommon.ValueTypeEmpty:
	case pcommon.ValueTypeMap:
		body.Map().Range(func(k string, v pcommon.Value) bool {
			v.CopyTo(dst.PutEmpty(k))
			return true
		})
	default:
		if body.Type() != pcommon.ValueTypeStr || body.Str() != "" {
			body.CopyTo(dst.PutEmpty("content"))
		}
	}
}

func bodyFields(body pcommon.Value) int {
	if body.Type() == pcommon.ValueTypeMap {
		return body.Map().Len()
	}
	return 1
}

// mergeMissing adds to dst the attributes and body fields of lr it lacks.
func mergeMissing(dst pcommon.Map, lr plog.LogRecord) {
	fields := pcommon.NewMap()
	putRecordAttributes(fields, lr)
	fields.Range(func(k string, v pcommon.Value) bool {
		if _, ok := dst.Get(k); !ok {
			v.CopyTo(dst.PutEmpty(k))
		}
		return true
	})
}

func firstResourceLogs(ld plog.Logs) plog.ResourceLogs {
	for _, rl := range ld.ResourceLogs().All() {
		if firstScopeLogs(rl).LogRecords().Len() > 0 {
			return rl
		}
	}
	return plog.NewResourceLogs()
}

func firstScopeLogs(rl plog.ResourceLogs) plog.ScopeLogs {
	for _, sl := range rl.ScopeLogs().All() {
		if sl.LogRecords().Len() > 0 {
			return sl
		}
	}
	return plog.NewScopeLogs()
}

// KindOf returns the class of a span as Convert sees it: the processor's
// precogx.kind when set, else Classify.
func KindOf(span ptrace.Span) Kind {
	if v, ok := span.Attributes().Get(AttrKind); ok {
		if k := ParseKind(v.Str()); k != KindOther {
			return k
		}
	}
	return Classify(span)
}
