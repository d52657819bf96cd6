package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"container/heap"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/genai"
)

// logsJoin holds GenAI spans without content and GenAI event log records
// until the two halves of a model call meet, within bounded time and memory.
//
// State is keyed by trace: a span waiting for its records holds the spans
// of its trace that come with or after it, so the conversion sees the
// trace's spans together and its dedup (one interaction per model call)
// works on joined content as on content the spans carry. Behind a
// load-balancing tier, route by trace or by agent so both halves reach one
// gateway.
//
// What waits, and how long:
//   - Records of a call that has answered (input and output records in)
//     wait `wait` for their span; input records of a call still running
//     wait `maxCall` for the rest. Then they are delivered as an interaction
//     of their own.
//   - A span without content waits `wait` for its records, released at once
//     when every such span of its trace has its input and output records.
//   - A span with content never waits; records that come for it later are
//     dropped as late, since its interaction already carried the call. The
//     same holds for a span whose records were already delivered: it is
//     sent as it comes.
//
// The join only keeps state; the exporter converts and sends what it
// releases. It is safe for concurrent use.
type logsJoin struct {
	wait     time.Duration
	maxCall  time.Duration
	maxBytes int

	mu     sync.Mutex
	traces map[pcommon.TraceID]*heldTrace
	due    dueHeap // the held traces, by their next deadline
	recent recentSpans
	bytes  int // spans and records held, OTLP protobuf bytes
}

func newLogsJoin(cfg LogsJoinConfig) *logsJoin {
	return &logsJoin{
		wait:     cfg.Wait,
		maxCall:  cfg.MaxCallDuration,
		maxBytes: cfg.MaxBytes,
		traces:   map[pcommon.TraceID]*heldTrace{},
		recent:   recentSpans{until: map[genai.SpanRef]time.Time{}},
	}
}

var (
	tracesSizer ptrace.ProtoMarshaler
	logsSizer   plog.ProtoMarshaler
)

// recordGroup is the GenAI event records of one span.
type recordGroup struct {
	ref       genai.SpanRef
	logs      plog.Logs
	records   int
	content   genai.LogContent
	bytes     int
	first     time.Time // when its first record came
	completed time.Time // when its input and output were both in; zero until then
}

func (g *recordGroup) complete() bool { return g.content.Complete() }

// deadline is when records whose span has not come are delivered alone.
func (g *recordGroup) deadline(wait, maxCall time.Duration) time.Time {
	if g.complete() {
		return g.completed.Add(wait)
	}
	return g.first.Add(maxCall)
}

// heldTrace is what the join holds of one trace.
type heldTrace struct {
	id pcommon.TraceID
	// spans are held because at least one of them waits for its records;
	// spanIDs lists them, true for those waiting.
	spans   ptrace.Traces
	spanIDs map[pcommon.SpanID]bool
	since   time.Time // when the first of the held spans came
	groups  map[pcommon.SpanID]*recordGroup
	bytes   int

	deadline time.Time
	index    int // in logsJoin.due; -1 when not in it
}

// ready reports whether every held span waiting for records has them all.
func (t *heldTrace) ready() bool {
	if len(t.spanIDs) == 0 {
		return false
	}
	for id, waiting := range t.spanIDs {
		if g := t.groups[id]; waiting && (g == nil || !g.complete()) {
			return false
		}
	}
	return true
}

func (t *heldTrace) empty() bool { return len(t.spanIDs) == 0 && len(t.groups) == 0 }

// nextDeadline is the earliest time something of the trace must go.
func (t *heldTrace) nextDeadline(wait, maxCall time.Duration) time.Time {
	var d time.Time
	if len(t.spanIDs) > 0 {
		d = t.since.Add(wait)
	}
	for id, g := range t.groups {
		if _, held := t.spanIDs[id]; held {
			continue // goes with its span
		}
		if gd := g.deadline(wait, maxCall); d.IsZero() || gd.Before(d) {
			d = gd
		}
	}
	return d
}

// release is what leaves the join of one trace at once.
type release struct {
	spans   ptrace.Traces                   // held spans; may be empty
	spanIDs map[pcommon.SpanID]bool         // true for spans that waited for records
	groups  map[pcommon.SpanID]*recordGroup // records of those spans
	lone    []*recordGroup                  // records whose span never came
	evicted bool                            // pushed out by max_bytes
}

// releaseStats counts what a set of releases did.
type releaseStats struct {
	joined      int // records attached to their span
	unmatched   int // records delivered on their own
	withoutLogs int // spans that waited and got no record
	evicted     int // traces released early by max_bytes
}

// buildReleases turns releases into the traces to send: records attached
// to their spans as events, records without a span as stand-in spans
// (genai.AttachLogs, genai.AppendLogSpan). It runs outside the join's lock.
func buildReleases(rels []*release) (ptrace.Traces, releaseStats) {
	out := ptrace.NewTraces()
	var st releaseStats
	for _, rel := range rels {
		if rel.evicted {
			st.evicted++
		}
		if len(rel.spanIDs) > 0 {
			for _, rs := range rel.spans.ResourceSpans().All() {
				for _, ss := range rs.ScopeSpans().All() {
					for _, span := range ss.Spans().All() {
						id := span.SpanID()
						if g, ok := rel.groups[id]; ok {
							st.joined += genai.AttachLogs(span, g.logs)
							delete(rel.groups, id)
						} else if rel.spanIDs[id] {
							st.withoutLogs++
						}
					}
				}
			}
			rel.spans.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
		}
		for _, g := range rel.groups { // its span was not among the spans: still deliver the records
			rel.lone = append(rel.lone, g)
		}
		for _, g := range rel.lone {
			genai.AppendLogSpan(out, g.logs)
			st.unmatched += g.records
		}
	}
	return out, st
}

// claim is what the join gives a batch of spans before it is converted.
type claim struct {
	// groups are complete records of spans in the batch, to attach now.
	groups map[genai.SpanRef]*recordGroup
	// joining are traces whose spans the join holds: the batch's spans of
	// them are held with them.
	joining map[pcommon.TraceID]bool
	// settled are spans the join remembers as sent with content, or whose
	// records were already delivered: they are sent as they come, never held.
	settled map[genai.SpanRef]bool
}

func (c *claim) records() int {
	n := 0
	for _, g := range c.groups {
		n += g.records
	}
	return n
}

// claim takes the complete record groups of td's spans and says which of
// its traces the join holds. Incomplete groups stay: their span will wait.
func (j *logsJoin) claim(now time.Time, td ptrace.Traces) claim {
	c := claim{}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recent.prune(now)
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				ref := genai.SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}
				if j.recent.has(ref) {
					setTrue(&c.settled, ref)
				}
				t := j.traces[ref.TraceID]
				if t == nil {
					continue
				}
				if len(t.spanIDs) > 0 {
					setTrue(&c.joining, ref.TraceID)
					continue
				}
				if g := t.groups[ref.SpanID]; g != nil && g.complete() {
					if c.groups == nil {
						c.groups = map[genai.SpanRef]*recordGroup{}
					}
					c.groups[ref] = g
					j.dropGroup(t, ref.SpanID)
					j.update(t)
				}
			}
		}
	}
	return c
}

func setTrue[K comparable](m *map[K]bool, k K) {
	if *m == nil {
		*m = map[K]bool{}
	}
	(*m)[k] = true
}

// heldPart is a batch's share of one trace that the join is to hold.
type heldPart struct {
	spans   ptrace.Traces
	spanIDs map[pcommon.SpanID]bool // true for spans waiting for records
}

// hold keeps the parts, and returns what is ready to go at once (the
// records of every waiting span are already in) or pushed out by max_bytes.
func (j *logsJoin) hold(now time.Time, parts map[pcommon.TraceID]*heldPart) []*release {
	j.mu.Lock()
	defer j.mu.Unlock()
	var rels []*release
	for id, p := range parts {
		t := j.trace(id)
		if len(t.spanIDs) == 0 {
			t.since = now
		}
		size := tracesSizer.TracesSize(p.spans)
		p.spans.ResourceSpans().MoveAndAppendTo(t.spans.ResourceSpans())
		for sid, waiting := range p.spanIDs {
			t.spanIDs[sid] = t.spanIDs[sid] || waiting
		}
		t.bytes += size
		j.bytes += size
		if t.ready() {
			rels = append(rels, j.releaseSpans(t, now))
		}
		j.update(t)
	}
	return append(rels, j.evict(now)...)
}

// addRecords holds record groups, each of one span. It returns what is
// ready to go (held spans whose records are now all in, or pushed out by
// max_bytes) and how many records came late: their span had already been
// sent with its content.
func (j *logsJoin) addRecords(now time.Time, groups []*recordGroup) (rels []*release, late int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recent.prune(now)
	for _, g := range groups {
		if j.recent.has(g.ref) {
			late += g.records
			continue
		}
		t := j.trace(g.ref.TraceID)
		sid := g.ref.SpanID
		if have := t.groups[sid]; have != nil {
			wasComplete := have.complete()
			g.logs.ResourceLogs().MoveAndAppendTo(have.logs.ResourceLogs())
			have.records += g.records
			have.bytes += g.bytes
			have.content |= g.content
			if !wasComplete && have.complete() {
				have.completed = now
			}
		} else {
			g.first = now
			if g.complete() {
				g.completed = now
			}
			t.groups[sid] = g
		}
		t.bytes += g.bytes
		j.bytes += g.bytes
		if _, held := t.spanIDs[sid]; held && t.ready() {
			rels = append(rels, j.releaseSpans(t, now))
		}
		j.update(t)
	}
	return append(rels, j.evict(now)...), late
}

// sent records spans the exporter sent with content, so records that come
// for them later are known as late; records already held for them are
// dropped now. It returns how many.
func (j *logsJoin) sent(now time.Time, refs []genai.SpanRef) (late int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recent.prune(now)
	for _, ref := range refs {
		j.recent.add(ref, now.Add(j.wait))
		t := j.traces[ref.TraceID]
		if t == nil {
			continue
		}
		if _, held := t.spanIDs[ref.SpanID]; held {
			continue
		}
		if g := t.groups[ref.SpanID]; g != nil {
			late += g.records
			j.dropGroup(t, ref.SpanID)
			j.update(t)
		}
	}
	j.evictRecent()
	return late
}

// expire releases whatever has waited long enough.
func (j *logsJoin) expire(now time.Time) []*release {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recent.prune(now)
	var rels []*release
	for j.due.Len() > 0 && !j.due[0].deadline.After(now) {
		t := j.due[0]
		if len(t.spanIDs) > 0 && !t.since.Add(j.wait).After(now) {
			rels = append(rels, j.releaseSpans(t, now))
		}
		var lone []*recordGroup
		for sid, g := range t.groups {
			if _, held := t.spanIDs[sid]; !held && !g.deadline(j.wait, j.maxCall).After(now) {
				lone = append(lone, j.releaseLone(t, sid, now))
			}
		}
		if len(lone) > 0 {
			rels = append(rels, &release{lone: lone})
		}
		j.update(t)
	}
	return rels
}

// drain releases everything: the exporter is shutting down.
func (j *logsJoin) drain(now time.Time) []*release {
	j.mu.Lock()
	defer j.mu.Unlock()
	var rels []*release
	for j.due.Len() > 0 {
		rels = append(rels, j.releaseAll(j.due[0], now))
	}
	return rels
}

// heldBytes is what the join holds, including its memory of sent spans.
func (j *logsJoin) heldBytes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes + j.recent.bytes()
}

// trace returns the held trace id, creating it.
func (j *logsJoin) trace(id pcommon.TraceID) *heldTrace {
	t := j.traces[id]
	if t == nil {
		t = &heldTrace{
			id:      id,
			spans:   ptrace.NewTraces(),
			spanIDs: map[pcommon.SpanID]bool{},
			groups:  map[pcommon.SpanID]*recordGroup{},
			index:   -1,
		}
		j.traces[id] = t
	}
	return t
}

// update files t under its new deadline, or forgets it when empty.
func (j *logsJoin) update(t *heldTrace) {
	if t.empty() {
		if t.index >= 0 {
			heap.Remove(&j.due, t.index)
		}
		delete(j.traces, t.id)
		return
	}
	t.deadline = t.nextDeadline(j.wait, j.maxCall)
	if t.index >= 0 {
		heap.Fix(&j.due, t.index)
	} else {
		heap.Push(&j.due, t)
	}
}

func (j *logsJoin) dropGroup(t *heldTrace, sid pcommon.SpanID) {
	g := t.groups[sid]
	delete(t.groups, sid)
	t.bytes -= g.bytes
	j.bytes -= g.bytes
}

// releaseSpans takes t's held spans with their records. Spans whose records
// were complete are remembered, so stragglers count as late.
func (j *logsJoin) releaseSpans(t *heldTrace, now time.Time) *release {
	rel := &release{spans: t.spans, spanIDs: t.spanIDs, groups: map[pcommon.SpanID]*recordGroup{}}
	for sid := range t.spanIDs {
		if g := t.groups[sid]; g != nil {
			rel.groups[sid] = g
			j.dropGroup(t, sid)
			if g.complete() {
				j.recent.add(g.ref, now.Add(j.wait))
			}
		}
	}
	spanBytes := t.bytes
	for _, g := range t.groups {
		spanBytes -= g.bytes
	}
	t.bytes -= spanBytes
	j.bytes -= spanBytes
	t.spans = ptrace.NewTraces()
	t.spanIDs = map[pcommon.SpanID]bool{}
	return rel
}

// releaseAll takes everything of t and forgets it.
func (j *logsJoin) releaseAll(t *heldTrace, now time.Time) *release {
	var rel *release
	if len(t.spanIDs) > 0 {
		rel = j.releaseSpans(t, now)
	} else {
		rel = &release{}
	}
	for sid := range t.groups {
		rel.lone = append(rel.lone, j.releaseLone(t, sid, now))
	}
	j.update(t)
	return rel
}

// releaseLone takes records whose span has not come, to be delivered on
// their own. A complete call is remembered: its span, should it still
// come, is sent as it is, and stragglers count as late.
func (j *logsJoin) releaseLone(t *heldTrace, sid pcommon.SpanID, now time.Time) *recordGroup {
	g := t.groups[sid]
	j.dropGroup(t, sid)
	if g.complete() {
		j.recent.add(g.ref, now.Add(j.wait))
	}
	return g
}

// evict releases the traces due first until the join fits max_bytes again.
func (j *logsJoin) evict(now time.Time) []*release {
	var rels []*release
	for j.bytes+j.recent.bytes() > j.maxBytes && j.due.Len() > 0 {
		rel := j.releaseAll(j.due[0], now)
		rel.evicted = true
		rels = append(rels, rel)
	}
	j.evictRecent()
	return rels
}

// evictRecent forgets the oldest sent spans while the join is over
// max_bytes with nothing else left to release.
func (j *logsJoin) evictRecent() {
	for j.bytes+j.recent.bytes() > j.maxBytes && j.recent.dropOldest() {
	}
}

// dueHeap orders held traces by deadline (container/heap).
type dueHeap []*heldTrace

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(a, b int) bool { return h[a].deadline.Before(h[b].deadline) }
func (h dueHeap) Swap(a, b int) {
	h[a], h[b] = h[b], h[a]
	h[a].index = a
	h[b].index = b
}

func (h *dueHeap) Push(x any) {
	t := x.(*heldTrace)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *dueHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

// recentEntryBytes estimates the memory of one remembered span.
const recentEntryBytes = 64

// recentSpans remembers, for one wait, the spans sent with their content.
// Every entry lives equally long, so expiry order is insertion order.
type recentSpans struct {
	until map[genai.SpanRef]time.Time
	queue []recentEntry
	head  int
}

type recentEntry struct {
	ref   genai.SpanRef
	until time.Time
}

func (r *recentSpans) add(ref genai.SpanRef, until time.Time) {
	r.until[ref] = until
	r.queue = append(r.queue, recentEntry{ref, until})
}

func (r *recentSpans) has(ref genai.SpanRef) bool {
	_, ok := r.until[ref]
	return ok
}

func (r *recentSpans) bytes() int { return (len(r.queue) - r.head) * recentEntryBytes }

// prune forgets the entries that expired.
func (r *recentSpans) prune(now time.Time) {
	for r.head < len(r.queue) && !r.queue[r.head].until.After(now) {
		r.pop()
	}
	r.compact()
}

func (r *recentSpans) dropOldest() bool {
	if r.head == len(r.queue) {
		return false
	}
	r.pop()
	r.compact()
	return true
}

func (r *recentSpans) pop() {
	e := r.queue[r.head]
	r.head++
	// A span remembered twice keeps the later entry.
	if r.until[e.ref] == e.until {
		delete(r.until, e.ref)
	}
}

// compact reuses the queue's front once half of it is spent.
func (r *recentSpans) compact() {
	if r.head > 0 && r.head >= len(r.queue)/2 {
		n := copy(r.queue, r.queue[r.head:])
		r.queue = r.queue[:n]
		r.head = 0
	}
}
