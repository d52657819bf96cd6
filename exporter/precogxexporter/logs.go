package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/precogxai/precogx-otel/internal/genai"
)

// GenAI event log records, joined to their spans.
//
// In a logs pipeline the exporter takes the GenAI event records some
// instrumentations put their content in (the official OpenTelemetry OpenAI
// instrumentation among them) and joins them to their spans (join.go) before
// anything is converted. The join sits before the sending path:
//
//	traces queue ─► pushTraces ─┬─ spans with content, or whose records are in ─► send (retry: traces queue)
//	                            └─ spans waiting for records ─┐
//	logs queue ───► pushLogs ───────── records ───────────────┴─► logs join ─► joined queue ─► send
//
// What the join releases (joined spans, spans that waited in vain, records
// whose span never came as stand-in spans) goes through a queue of its
// own: an exporterhelper with the exporter's sending_queue, retry_on_failure
// and timeout, named <id>_joined (precogx/joined for precogx), whose push is
// the same send as pushTraces'. A retryable failure of a joined unit is thus
// retried, partially and with back-off, like any span; a full queue drops
// it and exporterhelper counts it. On shutdown the join hands everything it
// holds to that queue, which drains as exporterhelper queues do.

// Outcomes of exporter_precogx_log_records.
const (
	outcomeJoined        = "joined"
	outcomeUnmatched     = "unmatched"
	outcomeLate          = "late"
	outcomeNotGenAI      = "not_genai"
	outcomeNoSpanContext = "no_span_context"
)

// joinedName names the queue of joined units after the exporter's id.
const joinedName = "joined"

// logs wraps the exporter in exporterhelper for the logs signal and turns
// the join on.
func (e *precogxExporter) logs(ctx context.Context, set exporter.Settings) (exporter.Logs, error) {
	if err := e.enableJoin(ctx, set); err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewLogs(ctx, set, e.cfg, e.pushLogs, e.helperOptions()...)
	if err != nil {
		return nil, err
	}
	e.addUser()
	return exp, nil
}

// enableJoin creates the join and the queue of what it releases, once.
func (e *precogxExporter) enableJoin(ctx context.Context, set exporter.Settings) error {
	if e.join != nil {
		return nil
	}
	joinedSet := set
	joinedSet.ID = joinedID(set.ID)
	joinedSet.TelemetrySettings = withoutSignal(set.TelemetrySettings)
	out, err := exporterhelper.NewTraces(ctx, joinedSet, e.cfg,
		e.send,
		exporterhelper.WithTimeout(e.cfg.TimeoutConfig),
		exporterhelper.WithRetry(e.cfg.RetryConfig),
		exporterhelper.WithQueue(e.cfg.QueueConfig),
	)
	if err != nil {
		return err
	}
	j := newLogsJoin(e.cfg.LogsJoin)
	if err := e.telemetry.RegisterExporterPrecogxLogsJoinHeldBytesCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(int64(j.heldBytes()))
		return nil
	}); err != nil {
		return err
	}
	e.join, e.joinedOut = j, out
	return nil
}

func joinedID(id component.ID) component.ID {
	if id.Name() == "" {
		return component.NewIDWithName(id.Type(), joinedName)
	}
	return component.NewIDWithName(id.Type(), id.Name()+"_"+joinedName)
}

// startJoin starts the joined queue and the clock that releases what waited
// long enough.
func (e *precogxExporter) startJoin(ctx context.Context, host component.Host) error {
	if e.join == nil {
		return nil
	}
	if err := e.joinedOut.Start(ctx, host); err != nil {
		return err
	}
	tickCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	e.stopTicker = func() {
		cancel()
		<-done
	}
	go func() {
		defer close(done)
		ticker := time.NewTicker(joinTick(e.cfg.LogsJoin))
		defer ticker.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-ticker.C:
				e.deliver(tickCtx, e.join.expire(e.now()))
			}
		}
	}()
	return nil
}

// joinTick is how often the join looks for what waited long enough: a
// tenth of the shorter wait, so nothing waits more than 10% too long.
func joinTick(cfg LogsJoinConfig) time.Duration {
	return min(max(min(cfg.Wait, cfg.MaxCallDuration)/10, 5*time.Millisecond), 250*time.Millisecond)
}

// shutdownJoin hands everything held to the joined queue and drains it.
func (e *precogxExporter) shutdownJoin(ctx context.Context) error {
	if e.join == nil {
		return nil
	}
	if e.stopTicker != nil {
		e.stopTicker()
	}
	e.deliver(ctx, e.join.drain(e.now()))
	return e.joinedOut.Shutdown(ctx)
}

// pushLogs hands GenAI event records to the join. It never fails: records
// the join cannot use are counted, and what it holds it sends itself.
func (e *precogxExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	groups, notGenAI, noSpan := groupRecords(ld)
	e.countRecords(ctx, outcomeNotGenAI, notGenAI)
	e.countRecords(ctx, outcomeNoSpanContext, noSpan)
	rels, late := e.join.addRecords(e.now(), groups)
	e.countRecords(ctx, outcomeLate, late)
	e.deliver(ctx, rels)
	return nil
}

// groupRecords splits the GenAI event records of ld by span, each group
// with its records' resources and scopes.
func groupRecords(ld plog.Logs) (groups []*recordGroup, notGenAI, noSpan int) {
	byRef := map[genai.SpanRef]*recordGroup{}
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			into := map[genai.SpanRef]plog.LogRecordSlice{} // this scope's records, per group
			for _, lr := range sl.LogRecords().All() {
				if !genai.IsGenAIEvent(lr) {
					notGenAI++
					continue
				}
				ref := genai.SpanRef{TraceID: lr.TraceID(), SpanID: lr.SpanID()}
				if ref.TraceID.IsEmpty() || ref.SpanID.IsEmpty() {
					noSpan++
					continue
				}
				g := byRef[ref]
				if g == nil {
					g = &recordGroup{ref: ref, logs: plog.NewLogs()}
					byRef[ref] = g
					groups = append(groups, g)
				}
				dst, ok := into[ref]
				if !ok {
					drl := g.logs.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(drl.Resource())
					drl.SetSchemaUrl(rl.SchemaUrl())
					dsl := drl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(dsl.Scope())
					dsl.SetSchemaUrl(sl.SchemaUrl())
					dst = dsl.LogRecords()
					into[ref] = dst
				}
				lr.CopyTo(dst.AppendEmpty())
				g.records++
				g.content |= genai.LogContentOf(lr)
			}
		}
	}
	for _, g := range groups {
		g.bytes = logsSizer.LogsSize(g.logs)
	}
	return groups, notGenAI, noSpan
}

// pushJoined is pushTraces in a logs pipeline: spans meet the records the
// join holds for them; LLM spans without content, and the spans of their
// trace, wait in the join for their records; the rest is sent now, and
// exporterhelper retries it as usual.
func (e *precogxExporter) pushJoined(ctx context.Context, td ptrace.Traces) error {
	now := e.now()
	c := e.join.claim(now, td)
	if len(c.groups) > 0 {
		td = attachClaimed(td, c.groups)
		e.countRecords(ctx, outcomeJoined, c.records())
	}
	opts := genai.Options{MaxFieldBytes: e.cfg.MaxFieldBytes}
	res := e.convert(td, opts)
	waiting := waitingSpans(td, res, &c)
	hold := c.joining
	for ref := range waiting {
		setTrue(&hold, ref.TraceID)
	}
	if len(hold) == 0 {
		e.countRecords(ctx, outcomeLate, e.join.sent(now, sources(res)))
		return e.sendResult(ctx, td, res)
	}
	parts, rest := splitHeld(td, hold, waiting)
	e.deliver(ctx, e.join.hold(now, parts))
	if rest.ResourceSpans().Len() == 0 {
		return nil
	}
	res = e.convert(rest, opts)
	e.countRecords(ctx, outcomeLate, e.join.sent(now, sources(res)))
	return e.sendResult(ctx, rest, res)
}

// attachClaimed returns a copy of td with the claimed records attached to
// their spans; td itself may be shared with other consumers.
func attachClaimed(td ptrace.Traces, groups map[genai.SpanRef]*recordGroup) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	for _, rs := range out.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				if g := groups[genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}]; g != nil {
					genai.AttachLogs(span, g.logs)
				}
			}
		}
	}
	return out
}

// waitingSpans lists the LLM spans of td that wait for their records: the
// conversion found no content on them, no records came with them, and
// their records were not already delivered on their own.
func waitingSpans(td ptrace.Traces, res genai.Result, c *claim) map[genai.SpanRef]bool {
	sourced := map[genai.SpanRef]bool{}
	for _, b := range res.Batches {
		for _, refs := range b.Sources {
			for _, ref := range refs {
				sourced[ref] = true
			}
		}
	}
	var waiting map[genai.SpanRef]bool
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				ref := genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}
				if sourced[ref] || c.settled[ref] || c.groups[ref] != nil ||
					genai.KindOf(span) != genai.KindLLM || genai.AgentIDOf(span, rs.Resource()) == "" {
					continue
				}
				setTrue(&waiting, ref)
			}
		}
	}
	return waiting
}

// splitHeld copies the spans of the held traces into one part per trace
// and returns the other spans.
func splitHeld(td ptrace.Traces, hold map[pcommon.TraceID]bool, waiting map[genai.SpanRef]bool) (map[pcommon.TraceID]*heldPart, ptrace.Traces) {
	parts := map[pcommon.TraceID]*heldPart{}
	rest := map[genai.SpanRef]struct{}{}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			into := map[pcommon.TraceID]ptrace.SpanSlice{} // this scope's spans, per part
			for _, span := range ss.Spans().All() {
				ref := genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}
				if !hold[ref.TraceID] {
					rest[ref] = struct{}{}
					continue
				}
				p := parts[ref.TraceID]
				if p == nil {
					p = &heldPart{spans: ptrace.NewTraces(), spanIDs: map[pcommon.SpanID]bool{}}
					parts[ref.TraceID] = p
				}
				dst, ok := into[ref.TraceID]
				if !ok {
					drs := p.spans.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(drs.Resource())
					drs.SetSchemaUrl(rs.SchemaUrl())
					dss := drs.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(dss.Scope())
					dss.SetSchemaUrl(ss.SchemaUrl())
					dst = dss.Spans()
					into[ref.TraceID] = dst
				}
				span.CopyTo(dst.AppendEmpty())
				p.spanIDs[ref.SpanID] = p.spanIDs[ref.SpanID] || waiting[ref]
			}
		}
	}
	if len(rest) == 0 {
		return parts, ptrace.NewTraces()
	}
	return parts, genai.SelectSpans(td, rest)
}

// sources lists the spans whose content a conversion sends.
func sources(res genai.Result) []genai.SpanRef {
	var refs []genai.SpanRef
	for _, b := range res.Batches {
		for _, s := range b.Sources {
			refs = append(refs, s...)
		}
	}
	return refs
}

// deliver converts what the join released and queues it for sending.
func (e *precogxExporter) deliver(ctx context.Context, rels []*release) {
	if len(rels) == 0 {
		return
	}
	td, st := buildReleases(rels)
	e.countRecords(ctx, outcomeJoined, st.joined)
	e.countRecords(ctx, outcomeUnmatched, st.unmatched)
	if st.withoutLogs > 0 {
		e.telemetry.ExporterPrecogxSpansWithoutLogs.Add(ctx, int64(st.withoutLogs))
	}
	if st.evicted > 0 {
		e.telemetry.ExporterPrecogxLogsJoinEvictions.Add(ctx, int64(st.evicted))
	}
	if td.ResourceSpans().Len() == 0 {
		return
	}
	if err := e.joinedOut.ConsumeTraces(ctx, td); err != nil {
		// exporterhelper counts the spans as enqueue_failed under the joined id.
		e.logger.Warn("Dropped spans and records the logs join released: its sending queue refused them. Raise sending_queue.queue_size if the queue is full.",
			zap.Int("spans", td.SpanCount()), zap.Error(err))
	}
}

func (e *precogxExporter) countRecords(ctx context.Context, outcome string, n int) {
	if n > 0 {
		e.telemetry.ExporterPrecogxLogRecords.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", outcome)))
	}
}

// The exporter serves traces and logs as one instance per configuration:
// both pipelines must feed the same join. It starts with the first signal
// and shuts down with the last.

// addUser counts one more signal the exporter serves.
func (e *precogxExporter) addUser() {
	e.life.Lock()
	defer e.life.Unlock()
	e.users++
}

func (e *precogxExporter) startShared(ctx context.Context, host component.Host) error {
	e.life.Lock()
	defer e.life.Unlock()
	if !e.started {
		e.started = true
		e.startErr = e.start(ctx, host)
	}
	return e.startErr
}

func (e *precogxExporter) shutdownShared(ctx context.Context) error {
	e.life.Lock()
	defer e.life.Unlock()
	if e.users--; e.users > 0 {
		return nil
	}
	if e.unregister != nil {
		e.unregister()
	}
	return e.shutdown(ctx)
}

// sharedExporters maps each configuration to its one exporter.
type sharedExporters struct {
	mu       sync.Mutex
	byConfig map[*Config]*precogxExporter
}

func (x *sharedExporters) get(cfg *Config, set exporter.Settings) (*precogxExporter, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if e := x.byConfig[cfg]; e != nil {
		return e, nil
	}
	set.TelemetrySettings = withoutSignal(set.TelemetrySettings)
	e, err := newExporter(cfg, set)
	if err != nil {
		return nil, err
	}
	e.unregister = func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		delete(x.byConfig, cfg)
	}
	x.byConfig[cfg] = e
	return e, nil
}

// signalKey is the attribute the collector adds to a component's telemetry
// for the pipeline signal; the shared exporter's telemetry belongs to both.
const signalKey = "otelcol.signal"

// withoutSignal drops signalKey, as the collector's own shared components
// do, through the interfaces its telemetry providers implement.
func withoutSignal(ts component.TelemetrySettings) component.TelemetrySettings {
	type meterDropper interface {
		DropInjectedAttributes(...string) metric.MeterProvider
	}
	type tracerDropper interface {
		DropInjectedAttributes(...string) trace.TracerProvider
	}
	type coreDropper interface {
		DropInjectedAttributes(...string) zapcore.Core
	}
	if d, ok := ts.MeterProvider.(meterDropper); ok {
		ts.MeterProvider = d.DropInjectedAttributes(signalKey)
	}
	if d, ok := ts.TracerProvider.(tracerDropper); ok {
		ts.TracerProvider = d.DropInjectedAttributes(signalKey)
	}
	if ts.Logger != nil {
		ts.Logger = ts.Logger.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
			if d, ok := c.(coreDropper); ok {
				return d.DropInjectedAttributes(signalKey)
			}
			return c
		}))
	}
	return ts
}
