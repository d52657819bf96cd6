package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"golang.org/x/time/rate"
)

const (
	// exportTimeout bounds one export request, as the OTLP exporter's default.
	exportTimeout = 10 * time.Second
	// shutdownTimeout bounds the final flush of every agent's spans.
	shutdownTimeout = 30 * time.Second
)

// Report is what a simulation sent.
type Report struct {
	Agents []AgentReport
	// Expected lists the interactions PrecogX must receive, agent by agent in
	// turn order (empty when Options.OnExpected took them).
	Expected []Expected
}

// AgentReport counts what one agent sent.
type AgentReport struct {
	AgentID     string
	Convention  Convention
	Traces      int // traces (turns) emitted
	Spans       int // spans the exporter accepted, GenAI and ordinary alike
	FailedSpans int // spans emitted but not accepted
}

// Totals sums the agents' counts.
func (r Report) Totals() (traces, spans, failed int) {
	for _, a := range r.Agents {
		traces += a.Traces
		spans += a.Spans
		failed += a.FailedSpans
	}
	return traces, spans, failed
}

// Progress is a running total, reported while Run works.
type Progress struct {
	Elapsed time.Duration
	Traces  int // traces emitted
	Spans   int // spans accepted by the endpoint
	Failed  int // spans whose export failed
}

// Options are hooks for long runs; the zero value is fine.
type Options struct {
	// OnProgress, when set, is called every ProgressInterval (default 1s).
	OnProgress       func(Progress)
	ProgressInterval time.Duration
	// OnExpected, when set, receives every expectation as its trace is
	// emitted, from one goroutine at a time, instead of Report.Expected
	// keeping them all in memory.
	OnExpected func(Expected)
}

// Run simulates cfg.Agents agents, each with its own TracerProvider and
// OTLP/HTTP exporter behind a batch span processor, until each has sent
// cfg.Traces traces, cfg.Duration has passed or ctx is done (a normal stop).
// Every provider is shut down, flushing its spans, before Run returns. The
// error reports spans that could not be exported.
func Run(ctx context.Context, cfg Config, opts Options) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	endpoint, _ := tracesURL(cfg.Endpoint)
	agents := NewAgents(cfg.Agents, cfg.conventions())

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Duration > 0 {
		runCtx, cancel = context.WithTimeout(runCtx, cfg.Duration)
		defer cancel()
	}

	// One transport for all agents, closed at the end so that no keep-alive
	// connection outlives Run.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: retryingTransport(transport, cfg.ExportRetry), Timeout: exportTimeout}

	sims := make([]*agentSim, len(agents))
	for i, a := range agents {
		exp, err := otlptracehttp.New(ctx, append([]otlptracehttp.Option{
			otlptracehttp.WithEndpointURL(endpoint),
			otlptracehttp.WithHeaders(cfg.Headers),
			otlptracehttp.WithHTTPClient(client),
		}, exportRetry(cfg.ExportRetry)...)...)
		if err != nil {
			_ = shutdownAll(ctx, sims[:i])
			return Report{}, fmt.Errorf("agent %s: exporter: %w", a.ID, err)
		}
		s := newAgentSim(a, &cfg)
		s.exp.SpanExporter = exp
		s.tp = newTracerProvider(a, cfg.Environment,
			sdktrace.WithBatcher(s.exp, sdktrace.WithBlocking(), sdktrace.WithBatchTimeout(time.Second),
				sdktrace.WithExportTimeout(batchExportTimeout(cfg.ExportRetry))))
		sims[i] = s
	}

	col := newCollector(opts.OnExpected)
	var wg sync.WaitGroup
	for _, s := range sims {
		var limiter *rate.Limiter
		if cfg.Rate > 0 {
			limiter = rate.NewLimiter(rate.Limit(cfg.Rate), 1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(runCtx, cfg.Traces, limiter, col)
		}()
	}
	stopProgress := watchProgress(sims, opts)
	wg.Wait()
	shutdownErr := shutdownAll(ctx, sims)
	stopProgress()

	rep := Report{Expected: col.expected}
	for _, s := range sims {
		rep.Agents = append(rep.Agents, s.report())
	}
	_, _, failed := rep.Totals()
	if failed > 0 {
		err := errors.Join(shutdownErr, firstExportError(sims))
		return rep, fmt.Errorf("%d spans were not exported: %w", failed, err)
	}
	return rep, nil
}

// Generate emits cfg.Traces traces per agent synchronously into exp, with no
// network, pacing or clock: the same spans and expectations Run produces for
// the same seed (except trace and span ids, which are random). Endpoint,
// Headers, Rate and Duration are ignored. exp is not shut down.
func Generate(ctx context.Context, cfg Config, exp sdktrace.SpanExporter) (Report, error) {
	if err := cfg.validateContent(); err != nil {
		return Report{}, err
	}
	if cfg.Traces < 1 {
		return Report{}, errors.New("traces must be at least 1")
	}
	col := newCollector(nil)
	var rep Report
	var sims []*agentSim
	for _, a := range NewAgents(cfg.Agents, cfg.conventions()) {
		s := newAgentSim(a, &cfg)
		s.exp.SpanExporter = keepOpen{exp}
		s.tp = newTracerProvider(a, cfg.Environment, sdktrace.WithSyncer(s.exp))
		s.run(ctx, cfg.Traces, nil, col)
		if err := s.tp.Shutdown(ctx); err != nil {
			return rep, err
		}
		sims = append(sims, s)
		rep.Agents = append(rep.Agents, s.report())
	}
	rep.Expected = col.expected
	if _, _, failed := rep.Totals(); failed > 0 {
		return rep, fmt.Errorf("%d spans were not exported: %w", failed, firstExportError(sims))
	}
	return rep, nil
}

// agentSim is one running agent.
type agentSim struct {
	agent   Agent
	src     *turnSource
	tp      *sdktrace.TracerProvider
	exp     *countingExporter
	traces  atomic.Int64
	emitted atomic.Int64
}

func newAgentSim(a Agent, cfg *Config) *agentSim {
	return &agentSim{agent: a, src: newTurnSource(a, cfg.Seed, cfg.scenarios()), exp: &countingExporter{}}
}

// run emits up to n turns (unbounded when n is 0) until ctx is done.
func (s *agentSim) run(ctx context.Context, n int, limiter *rate.Limiter, col *collector) {
	em := newEmitter(s.tp, s.agent)
	for i := 0; n == 0 || i < n; i++ {
		if ctx.Err() != nil {
			return
		}
		if limiter != nil && limiter.Wait(ctx) != nil {
			return
		}
		t := s.src.next()
		before := em.spans
		llm := em.emit(ctx, t)
		s.emitted.Add(int64(em.spans - before))
		s.traces.Add(1)
		col.add(expectations(s.agent, t, llm))
	}
}

func (s *agentSim) report() AgentReport {
	emitted := int(s.emitted.Load())
	exported := int(s.exp.exported.Load())
	return AgentReport{
		AgentID:     s.agent.ID,
		Convention:  s.agent.Convention,
		Traces:      int(s.traces.Load()),
		Spans:       exported,
		FailedSpans: emitted - exported,
	}
}

func shutdownAll(ctx context.Context, sims []*agentSim) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range sims {
		if err := s.tp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("agent %s: shutdown: %w", s.agent.ID, err))
		}
	}
	return errors.Join(errs...)
}

func firstExportError(sims []*agentSim) error {
	for _, s := range sims {
		if err := s.exp.firstError(); err != nil {
			return fmt.Errorf("agent %s: %w", s.agent.ID, err)
		}
	}
	return nil
}

// watchProgress calls opts.OnProgress periodically until the returned stop
// function is called.
func watchProgress(sims []*agentSim, opts Options) (stop func()) {
	if opts.OnProgress == nil {
		return func() {}
	}
	interval := opts.ProgressInterval
	if interval <= 0 {
		interval = time.Second
	}
	start := time.Now()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p := Progress{Elapsed: time.Since(start)}
				for _, s := range sims {
					p.Traces += int(s.traces.Load())
					p.Spans += int(s.exp.exported.Load())
					p.Failed += int(s.exp.failed.Load())
				}
				opts.OnProgress(p)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// collector gathers expectations from the agents' goroutines.
type collector struct {
	mu       sync.Mutex
	sink     func(Expected)
	expected []Expected
}

func newCollector(sink func(Expected)) *collector { return &collector{sink: sink} }

func (c *collector) add(exp []Expected) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sink == nil {
		c.expected = append(c.expected, exp...)
		return
	}
	for _, e := range exp {
		c.sink(e)
	}
}

// countingExporter counts the spans its exporter accepted and refused.
type countingExporter struct {
	sdktrace.SpanExporter
	exported, failed atomic.Int64

	mu    sync.Mutex
	first error
}

func (c *countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := c.SpanExporter.ExportSpans(ctx, spans)
	if err != nil {
		c.failed.Add(int64(len(spans)))
		c.mu.Lock()
		if c.first == nil {
			c.first = err
		}
		c.mu.Unlock()
		return err
	}
	c.exported.Add(int64(len(spans)))
	return nil
}

func (c *countingExporter) firstError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.first
}

// keepOpen lets several providers share a caller's exporter: shutting a
// provider down must not shut the exporter (an InMemoryExporter would forget
// its spans).
type keepOpen struct{ sdktrace.SpanExporter }

func (keepOpen) Shutdown(context.Context) error { return nil }

// newTracerProvider gives an agent its own resource. Sampling and span limits
// are set explicitly so that OTEL_* environment variables cannot drop spans
// or attributes the expectations rely on.
func newTracerProvider(a Agent, env string, export sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(
		export,
		sdktrace.WithResource(agentResource(a, env)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithRawSpanLimits(sdktrace.SpanLimits{
			AttributeValueLengthLimit:   -1,
			AttributeCountLimit:         1024,
			EventCountLimit:             256,
			LinkCountLimit:              128,
			AttributePerEventCountLimit: 128,
			AttributePerLinkCountLimit:  128,
		}),
	)
}

// agentResource describes the agent's process. The SDK attributes say what
// the instrumented application would run on (Python or Node.js), not this
// simulator.
func agentResource(a Agent, env string) *resource.Resource {
	lang := "python"
	if a.Convention == VercelAI {
		lang = "nodejs"
	}
	attrs := []attribute.KeyValue{
		attribute.String("service.name", a.ID),
		attribute.String("service.version", "1.4.2"),
		attribute.String("telemetry.sdk.name", "opentelemetry"),
		attribute.String("telemetry.sdk.language", lang),
	}
	if env != "" {
		attrs = append(attrs, attribute.String("deployment.environment.name", env))
	}
	if a.Convention == OpenInference {
		attrs = append(attrs, attribute.String("openinference.project.name", a.ID))
	}
	return resource.NewSchemaless(attrs...)
}
