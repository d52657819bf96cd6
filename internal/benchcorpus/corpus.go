// Package benchcorpus builds the fixed corpus the benchmarks run on: agent
// traces of every GenAI convention whose LLM spans carry a chosen amount of
// content, among the HTTP and database spans of the application around them.
// The corpus is deterministic: the same size gives the same spans, ids and
// timestamps included, so figures of different runs compare.
package benchcorpus // import "github.com/precogxai/precogx-otel/internal/benchcorpus"

import (
	"encoding/binary"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Size is a content size of the corpus.
type Size struct {
	Name  string
	Bytes int
}

// Sizes are the content sizes benchmarks report: what one LLM span carries
// on average (system prompt, user message, tool result, answer).
var Sizes = []Size{{"1KiB", 1 << 10}, {"8KiB", 8 << 10}, {"64KiB", 64 << 10}}

// Conventions lists the conventions of the corpus, named as
// metadata.convention names them (otel_genai_events: semconv 1.28-1.36
// per-message span events).
var Conventions = []string{
	"otel_genai", "openllmetry", "openinference", "vercel_ai", "otel_genai_events", "adk", "mlflow",
}

// start is the timestamp of the first span of the corpus.
var start = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// Traces returns one agent turn per convention, each its own trace and its
// own service: an HTTP request reaches the agent, a model call asks for a
// tool, the tool runs (and queries a database), a second model call answers
// with the tool's result. Each model call also has its HTTP client span, as
// HTTP instrumentation records it: about half the spans are not GenAI spans.
// contentBytes is the average content of one LLM span.
func Traces(contentBytes int) ptrace.Traces {
	td := ptrace.NewTraces()
	for i, conv := range Conventions {
		addTurn(td, conv, i, contentBytes, false)
	}
	return td
}

// LLMSpans returns the LLM spans of one convention's turn only (the model
// call asking for a tool and the one answering), as the precogx processor
// passes them on: what a conversion benchmark converts.
func LLMSpans(conv string, contentBytes int) ptrace.Traces {
	td := ptrace.NewTraces()
	for i, c := range Conventions {
		if c == conv {
			addTurn(td, conv, i, contentBytes, true)
		}
	}
	return td
}

// turn is the content of one agent turn, sized by contentBytes.
type turn struct {
	agent    string
	system   string
	question string
	result   string // the tool's result
	answer   string
	tool     string
	callID   string
	args     string // the tool call's arguments, a JSON object
}

func newTurn(conv string, idx, contentBytes int) turn {
	// Each part is a third of the average: the first call carries system
	// prompt and question, the second those, the tool result and the answer.
	part := max(contentBytes/3, 16)
	return turn{
		agent:    conv + "-agent",
		system:   prose(idx*7+1, part),
		question: prose(idx*7+2, part),
		result:   prose(idx*7+3, part),
		answer:   prose(idx*7+4, part),
		tool:     "get_invoice",
		callID:   "call_" + conv,
		args:     `{"invoice_id":"INV-2041","include_lines":true}`,
	}
}

// spanBuilder writes the spans of one trace with ids and times derived
// from the turn's index.
type spanBuilder struct {
	traceID pcommon.TraceID
	next    uint64
	now     time.Time
	spans   ptrace.SpanSlice
}

func (b *spanBuilder) add(parent pcommon.SpanID, name string, kind ptrace.SpanKind, d time.Duration) ptrace.Span {
	b.next++
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], b.traceIDSeed()<<16|b.next)
	s := b.spans.AppendEmpty()
	s.SetTraceID(b.traceID)
	s.SetSpanID(id)
	s.SetParentSpanID(parent)
	s.SetName(name)
	s.SetKind(kind)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(b.now))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(b.now.Add(d)))
	b.now = b.now.Add(d + time.Millisecond)
	return s
}

func (b *spanBuilder) traceIDSeed() uint64 { return binary.BigEndian.Uint64(b.traceID[8:]) }

func addTurn(td ptrace.Traces, conv string, idx, contentBytes int, llmOnly bool) {
	t := newTurn(conv, idx, contentBytes)
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", t.agent)
	res.PutStr("service.version", "1.8.0")
	res.PutStr("deployment.environment.name", "production")
	res.PutStr("telemetry.sdk.language", "python")
	res.PutStr("telemetry.sdk.name", "opentelemetry")
	res.PutStr("telemetry.sdk.version", "1.38.0")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scopeOf[conv])
	b := &spanBuilder{now: start.Add(time.Duration(idx) * time.Minute), spans: ss.Spans()}
	binary.BigEndian.PutUint64(b.traceID[:8], 0x5ca1ab1e00000000|uint64(idx))
	binary.BigEndian.PutUint64(b.traceID[8:], uint64(idx+1))

	var root pcommon.SpanID
	if !llmOnly {
		root = httpServer(b).SpanID()
	}
	llm1 := b.add(root, "", ptrace.SpanKindClient, 900*time.Millisecond)
	writeLLM[conv](llm1, t, false)
	if !llmOnly {
		httpClient(b, llm1.SpanID())
		tool := b.add(root, "", ptrace.SpanKindInternal, 40*time.Millisecond)
		writeTool[conv](tool, t)
		database(b, tool.SpanID())
	}
	llm2 := b.add(root, "", ptrace.SpanKindClient, 1300*time.Millisecond)
	writeLLM[conv](llm2, t, true)
	if !llmOnly {
		httpClient(b, llm2.SpanID())
	}
}

// scopeOf is the instrumentation scope of each convention's GenAI spans.
var scopeOf = map[string]string{
	"otel_genai":        "opentelemetry.instrumentation.openai_v2",
	"openllmetry":       "opentelemetry.instrumentation.openai.v1",
	"openinference":     "openinference.instrumentation.openai",
	"vercel_ai":         "ai",
	"otel_genai_events": "opentelemetry.instrumentation.openai",
	"adk":               "gcp.vertex.agent",
	"mlflow":            "mlflow.tracing",
}

func httpServer(b *spanBuilder) ptrace.Span {
	s := b.add(pcommon.SpanID{}, "POST /v1/chat", ptrace.SpanKindServer, 2500*time.Millisecond)
	a := s.Attributes()
	a.PutStr("http.request.method", "POST")
	a.PutStr("url.path", "/v1/chat")
	a.PutStr("url.scheme", "https")
	a.PutStr("http.route", "/v1/chat")
	a.PutStr("server.address", "agents.internal")
	a.PutStr("client.address", "10.0.3.17")
	a.PutStr("user_agent.original", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15")
	a.PutInt("http.response.status_code", 200)
	return s
}

func httpClient(b *spanBuilder, parent pcommon.SpanID) {
	s := b.add(parent, "POST", ptrace.SpanKindClient, 850*time.Millisecond)
	a := s.Attributes()
	a.PutStr("http.request.method", "POST")
	a.PutStr("url.full", "https://api.openai.com/v1/chat/completions")
	a.PutStr("server.address", "api.openai.com")
	a.PutInt("server.port", 443)
	a.PutInt("http.response.status_code", 200)
	a.PutStr("network.protocol.version", "1.1")
}

func database(b *spanBuilder, parent pcommon.SpanID) {
	s := b.add(parent, "SELECT invoices", ptrace.SpanKindClient, 4*time.Millisecond)
	a := s.Attributes()
	a.PutStr("db.system.name", "postgresql")
	a.PutStr("db.namespace", "billing")
	a.PutStr("db.operation.name", "SELECT")
	a.PutStr("db.collection.name", "invoices")
	a.PutStr("db.query.text", "SELECT id, status, amount, due_date FROM invoices WHERE id = $1")
	a.PutStr("server.address", "db.internal")
	a.PutInt("server.port", 5432)
}

// ContentBytes returns the bytes of the string values a span's attributes
// and events carry: what a conversion has to read.
func ContentBytes(td ptrace.Traces) int64 {
	var n int64
	count := func(m pcommon.Map) {
		m.Range(func(_ string, v pcommon.Value) bool {
			if v.Type() == pcommon.ValueTypeStr {
				n += int64(len(v.Str()))
			}
			return true
		})
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				count(s.Attributes())
				for e := 0; e < s.Events().Len(); e++ {
					count(s.Events().At(e).Attributes())
				}
			}
		}
	}
	return n
}
