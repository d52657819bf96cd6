// Package agentsim simulates AI agents that emit GenAI traces the way real
// instrumentation libraries do, and records what PrecogX must receive for
// them.
//
// Each agent is an application with its own resource (service.name) and
// TracerProvider, instrumented in one convention of the GenAI conventions
// reference that internal/genai implements: current OTel GenAI semantic
// conventions, OpenLLMetry legacy attributes, OpenInference, the Vercel AI
// SDK's ai.* spans, or the older GenAI span events. Every trace also holds the
// ordinary spans such an application produces (the incoming HTTP request,
// the HTTP call to the model provider, database queries), some stamped with
// session attributes as the libraries do, which the collector must filter out.
//
// A turn plays one scenario (plain Q&A, tool round, dangerous tool call,
// prompt injection, PII, streamed answer), chosen deterministically from the
// seed. For every trace the package records the interactions the collector
// must produce, as [Expected] values; the rules are on that type.
//
// [Run] sends over OTLP/HTTP; [Generate] writes the same spans into any
// SpanExporter (a tracetest.InMemoryExporter in tests and benchmarks), and
// [ToTraces] turns them into pdata.
package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"
