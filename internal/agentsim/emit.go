package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// scopes are the instrumentation scopes of an application stack: the web
// framework, HTTP client and database driver instrumentations around the
// GenAI library.
type scopes struct {
	server, httpClient, db string
	route                  string
}

var stacks = map[Convention]scopes{
	OTelGenAI:       {"opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.httpx", "opentelemetry.instrumentation.asyncpg", "/v1/chat"},
	OpenLLMetry:     {"opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.httpx", "opentelemetry.instrumentation.sqlalchemy", "/chat"},
	OpenInference:   {"opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.httpx", "opentelemetry.instrumentation.asyncpg", "/ask"},
	VercelAI:        {"@opentelemetry/instrumentation-http", "@opentelemetry/instrumentation-undici", "@opentelemetry/instrumentation-pg", "/api/chat"},
	OTelGenAIEvents: {"opentelemetry.instrumentation.flask", "opentelemetry.instrumentation.requests", "opentelemetry.instrumentation.psycopg2", "/v1/chat"},
}

// emitter writes one turn's spans with explicit timestamps taken from a
// virtual clock, so traces have realistic durations without waiting for them.
type emitter struct {
	tp    trace.TracerProvider
	agent Agent
	stack scopes
	now   time.Time
	spans int // spans started
}

func newEmitter(tp trace.TracerProvider, a Agent) *emitter {
	return &emitter{tp: tp, agent: a, stack: stacks[a.Convention]}
}

// emit writes turn t as one trace and returns the span contexts of its model
// calls, one per step. Every trace starts with the HTTP request that reached
// the agent; the convention writes the rest.
func (e *emitter) emit(ctx context.Context, t *turn) []trace.SpanContext {
	e.now = time.Now()
	ctx, root := e.start(ctx, e.stack.server, "POST "+e.stack.route, trace.SpanKindServer,
		attribute.String("http.request.method", "POST"),
		attribute.String("url.path", e.stack.route),
		attribute.String("url.scheme", "https"),
		attribute.String("http.route", e.stack.route),
		attribute.String("server.address", e.agent.ID+".internal"),
		attribute.String("client.address", "10.0.3.17"),
		attribute.String("user_agent.original", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15"),
		attribute.Int("http.response.status_code", 200),
	)
	e.advance(time.Millisecond)
	var llm []trace.SpanContext
	switch e.agent.Convention {
	case OTelGenAI:
		llm = emitOTelGenAI(ctx, e, t)
	case OpenLLMetry:
		llm = emitOpenLLMetry(ctx, e, t)
	case OpenInference:
		llm = emitOpenInference(ctx, e, t)
	case VercelAI:
		llm = emitVercelAI(ctx, e, t)
	case OTelGenAIEvents:
		llm = emitOTelGenAIEvents(ctx, e, t)
	}
	e.end(root, 2*time.Millisecond)
	return llm
}

func (e *emitter) start(ctx context.Context, scope, name string, kind trace.SpanKind, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	e.spans++
	return e.tp.Tracer(scope).Start(ctx, name,
		trace.WithSpanKind(kind), trace.WithTimestamp(e.now), trace.WithAttributes(attrs...))
}

func (e *emitter) advance(d time.Duration) { e.now = e.now.Add(d) }

// end advances the clock by d and ends span there.
func (e *emitter) end(span trace.Span, d time.Duration) {
	e.advance(d)
	span.End(trace.WithTimestamp(e.now))
}

// db writes a database client span; stamp holds the context attributes the
// GenAI library copies onto every span (session ids and the like).
func (e *emitter) db(ctx context.Context, op, table, query string, stamp ...attribute.KeyValue) {
	attrs := append([]attribute.KeyValue{
		attribute.String("db.system", "postgresql"),
		attribute.String("db.system.name", "postgresql"),
		attribute.String("db.namespace", "app"),
		attribute.String("db.operation.name", op),
		attribute.String("db.collection.name", table),
		attribute.String("db.query.text", query),
		attribute.String("server.address", "db.internal"),
		attribute.Int("server.port", 5432),
	}, stamp...)
	_, span := e.start(ctx, e.stack.db, op+" "+table, trace.SpanKindClient, attrs...)
	e.end(span, time.Duration(2+len(query)%7)*time.Millisecond)
}

// loadHistory is the database read of the conversation so far.
func (e *emitter) loadHistory(ctx context.Context, stamp ...attribute.KeyValue) {
	e.db(ctx, "SELECT", "messages",
		"SELECT role, content FROM messages WHERE conversation_id = $1 ORDER BY created_at", stamp...)
	e.advance(time.Millisecond)
}

// httpClient writes an outgoing HTTP call lasting d.
func (e *emitter) httpClient(ctx context.Context, method, rawURL string, d time.Duration, stamp ...attribute.KeyValue) {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err) // the URLs are constants of this package
	}
	attrs := append([]attribute.KeyValue{
		attribute.String("http.request.method", method),
		attribute.String("url.full", rawURL),
		attribute.String("server.address", u.Hostname()),
		attribute.Int("server.port", 443),
		attribute.Int("http.response.status_code", 200),
	}, stamp...)
	_, span := e.start(ctx, e.stack.httpClient, method, trace.SpanKindClient, attrs...)
	e.end(span, d)
}

// spanEvent is an event to add to a span before it ends.
type spanEvent struct {
	name  string
	attrs []attribute.KeyValue
}

// llmSpan describes a model call span.
type llmSpan struct {
	scope, name string
	kind        trace.SpanKind
	attrs       []attribute.KeyValue
	events      []spanEvent
	stamp       []attribute.KeyValue // copied onto the HTTP client span below it
}

// modelCall writes a model call span lasting the step's latency with, below
// it, the HTTP request to the provider's API.
func (e *emitter) modelCall(ctx context.Context, s step, l llmSpan) trace.SpanContext {
	start := e.now
	ctx, span := e.start(ctx, l.scope, l.name, l.kind, l.attrs...)
	e.advance(2 * time.Millisecond)
	p := e.agent.Provider
	e.httpClient(ctx, "POST", "https://"+p.Host+p.Path, s.latency-5*time.Millisecond, l.stamp...)
	for _, ev := range l.events {
		span.AddEvent(ev.name, trace.WithTimestamp(e.now), trace.WithAttributes(ev.attrs...))
	}
	e.now = start.Add(s.latency)
	span.End(trace.WithTimestamp(e.now))
	e.advance(time.Millisecond)
	return span.SpanContext()
}

// toolExecution writes a tool span and, below it, the work the tool does.
func (e *emitter) toolExecution(ctx context.Context, scope, name string, c toolCall, attrs []attribute.KeyValue, stamp ...attribute.KeyValue) {
	start := e.now
	ctx, span := e.start(ctx, scope, name, trace.SpanKindInternal, attrs...)
	e.advance(time.Millisecond)
	e.toolBackend(ctx, c, stamp...)
	e.now = start.Add(c.latency)
	span.End(trace.WithTimestamp(e.now))
	e.advance(time.Millisecond)
}

// toolBackend writes the ordinary span a tool's work produces, if any.
func (e *emitter) toolBackend(ctx context.Context, c toolCall, stamp ...attribute.KeyValue) {
	switch {
	case c.backend.dbQuery != "":
		e.db(ctx, c.backend.operation, c.backend.dbTable, c.backend.dbQuery, stamp...)
	case c.backend.httpURL != "":
		e.httpClient(ctx, "GET", c.backend.httpURL, c.latency/2, stamp...)
	}
}

// jsonText encodes v the way JSON.stringify / json.dumps(ensure_ascii=False)
// would: compact, without HTML escaping.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only package-built values are encoded
	}
	return strings.TrimSuffix(b.String(), "\n")
}
