package precogxexporter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// These tests drive the join's state alone, on a hand-held clock; logs_test.go
// runs it inside the exporter against a fake PrecogX API.

const (
	testWait    = 5 * time.Second
	testMaxCall = time.Minute
)

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func newTestJoin(maxBytes int) *logsJoin {
	return newLogsJoin(LogsJoinConfig{Wait: testWait, MaxCallDuration: testMaxCall, MaxBytes: maxBytes})
}

func ref(trace, span byte) genai.SpanRef {
	return genai.SpanRef{TraceID: pcommon.TraceID{trace}, SpanID: pcommon.SpanID{span}}
}

// records returns the GenAI records of one span: a user message (input)
// and/or a choice (output).
func records(r genai.SpanRef, input, output bool) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "agent")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	add := func(name string, body func(pcommon.Map)) {
		lr := lrs.AppendEmpty()
		lr.SetTraceID(r.TraceID)
		lr.SetSpanID(r.SpanID)
		lr.Attributes().PutStr("event.name", name)
		body(lr.Body().SetEmptyMap())
	}
	if input {
		add("gen_ai.user.message", func(m pcommon.Map) { m.PutStr("content", "Say hello") })
	}
	if output {
		add("gen_ai.choice", func(m pcommon.Map) {
			m.PutStr("finish_reason", "stop")
			m.PutEmptyMap("message").PutStr("content", "Hello!")
		})
	}
	return ld
}

func group(t *testing.T, ld plog.Logs) []*recordGroup {
	t.Helper()
	groups, notGenAI, noSpan := groupRecords(ld)
	require.Zero(t, notGenAI)
	require.Zero(t, noSpan)
	return groups
}

// spanPart is one held span of trace r.
func spanPart(r genai.SpanRef, waiting bool) map[pcommon.TraceID]*heldPart {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetTraceID(r.TraceID)
	span.SetSpanID(r.SpanID)
	span.SetName("chat gpt-4o")
	return map[pcommon.TraceID]*heldPart{r.TraceID: {spans: td, spanIDs: map[pcommon.SpanID]bool{r.SpanID: waiting}}}
}

func spansOf(td ptrace.Traces) []genai.SpanRef {
	var out []genai.SpanRef
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				out = append(out, genai.SpanRef{TraceID: s.TraceID(), SpanID: s.SpanID()})
			}
		}
	}
	return out
}

func assertEmpty(t *testing.T, j *logsJoin) {
	t.Helper()
	assert.Empty(t, j.traces)
	assert.Zero(t, j.due.Len())
	assert.Zero(t, j.bytes, "every byte held was given back")
}

func TestJoinGroupRecordsSplitsBySpan(t *testing.T) {
	ld := records(ref(1, 1), true, true)
	records(ref(1, 2), true, false).ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	lrs.AppendEmpty().Body().SetStr("GET /health 200") // an application log line
	noCtx := lrs.AppendEmpty()
	noCtx.Attributes().PutStr("event.name", "gen_ai.user.message")

	groups, notGenAI, noSpan := groupRecords(ld)
	assert.Equal(t, 1, notGenAI)
	assert.Equal(t, 1, noSpan)
	require.Len(t, groups, 2)
	assert.Equal(t, ref(1, 1), groups[0].ref)
	assert.Equal(t, 2, groups[0].records)
	assert.True(t, groups[0].complete())
	assert.Equal(t, ref(1, 2), groups[1].ref)
	assert.Equal(t, genai.LogInput, groups[1].content)
	for _, g := range groups {
		assert.Equal(t, logsSizer.LogsSize(g.logs), g.bytes)
		svc, _ := g.logs.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
		assert.Equal(t, "agent", svc.Str(), "records keep their resource")
	}
}

func TestJoinRecordsBeforeSpan(t *testing.T) {
	j := newTestJoin(1 << 20)
	r := ref(1, 1)
	rels, late := j.addRecords(t0, group(t, records(r, true, true)))
	assert.Empty(t, rels)
	assert.Zero(t, late)
	assert.Positive(t, j.heldBytes())

	td := ptrace.NewTraces()
	spanPart(r, false)[r.TraceID].spans.CopyTo(td)
	c := j.claim(t0.Add(time.Second), td)
	require.Contains(t, c.groups, r, "complete records go with their span")
	assert.Equal(t, 2, c.records())
	assert.Empty(t, c.joining)
	assertEmpty(t, j)
}

func TestJoinIncompleteRecordsStayForTheirSpan(t *testing.T) {
	j := newTestJoin(1 << 20)
	r := ref(1, 1)
	j.addRecords(t0, group(t, records(r, true, false))) // the call is still running
	td := ptrace.NewTraces()
	spanPart(r, false)[r.TraceID].spans.CopyTo(td)
	c := j.claim(t0, td)
	assert.Empty(t, c.groups, "a span whose output record is missing waits for it")

	assert.Empty(t, j.hold(t0, spanPart(r, true)))
	rels, _ := j.addRecords(t0.Add(time.Second), group(t, records(r, false, true)))
	require.Len(t, rels, 1, "the output record makes the span ready")
	td, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{r}, spansOf(td))
	assert.Equal(t, releaseStats{joined: 2}, st)
	assert.Equal(t, 2, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Events().Len())
	assertEmpty(t, j)
}

func TestJoinSpanBeforeRecords(t *testing.T) {
	j := newTestJoin(1 << 20)
	r, other := ref(1, 1), ref(1, 2)
	assert.Empty(t, j.hold(t0, spanPart(r, true)))

	c := j.claim(t0, ptrace.NewTraces())
	assert.Empty(t, c.joining)
	td := ptrace.NewTraces()
	spanPart(other, false)[other.TraceID].spans.CopyTo(td)
	c = j.claim(t0, td)
	assert.True(t, c.joining[r.TraceID], "later spans of a held trace join it")

	rels, _ := j.addRecords(t0.Add(time.Second), group(t, records(r, true, true)))
	require.Len(t, rels, 1)
	out, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{r}, spansOf(out))
	assert.Equal(t, 2, st.joined)
	assertEmpty(t, j)
}

func TestJoinSpanWhoseRecordsNeverCome(t *testing.T) {
	j := newTestJoin(1 << 20)
	r := ref(1, 1)
	j.hold(t0, spanPart(r, true))
	assert.Empty(t, j.expire(t0.Add(testWait-time.Millisecond)))
	rels := j.expire(t0.Add(testWait))
	require.Len(t, rels, 1)
	out, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{r}, spansOf(out), "sent as it is")
	assert.Equal(t, releaseStats{withoutLogs: 1}, st)
	assertEmpty(t, j)
}

func TestJoinRecordsWhoseSpanNeverComes(t *testing.T) {
	j := newTestJoin(1 << 20)
	done, running := ref(1, 1), ref(2, 1)
	j.addRecords(t0, group(t, records(done, true, true)))
	j.addRecords(t0, group(t, records(running, true, false)))

	rels := j.expire(t0.Add(testWait))
	require.Len(t, rels, 1, "a call that answered waits one wait for its span")
	out, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{done}, spansOf(out), "delivered as a stand-in span")
	assert.Equal(t, releaseStats{unmatched: 2}, st)

	assert.Empty(t, j.expire(t0.Add(testMaxCall-time.Millisecond)), "a running call waits for its answer")
	rels = j.expire(t0.Add(testMaxCall))
	require.Len(t, rels, 1)
	out, st = buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{running}, spansOf(out))
	assert.Equal(t, 1, st.unmatched)
	assertEmpty(t, j)
}

func TestJoinAnswerRestartsTheWait(t *testing.T) {
	j := newTestJoin(1 << 20)
	r := ref(1, 1)
	j.addRecords(t0, group(t, records(r, true, false)))
	j.addRecords(t0.Add(30*time.Second), group(t, records(r, false, true)))
	assert.Empty(t, j.expire(t0.Add(30*time.Second+testWait-time.Millisecond)))
	rels := j.expire(t0.Add(30*time.Second + testWait))
	require.Len(t, rels, 1)
	_, st := buildReleases(rels)
	assert.Equal(t, 2, st.unmatched, "input and output go out together")
}

func TestJoinReleasesOnlyWhatIsDue(t *testing.T) {
	j := newTestJoin(1 << 20)
	held, orphan := ref(1, 1), ref(1, 2)
	j.addRecords(t0, group(t, records(orphan, true, false))) // a later call of the trace, still running
	j.hold(t0, spanPart(held, true))

	rels := j.expire(t0.Add(testWait))
	require.Len(t, rels, 1)
	out, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{held}, spansOf(out))
	assert.Equal(t, releaseStats{withoutLogs: 1}, st)
	require.Contains(t, j.traces, orphan.TraceID, "the running call's records stay")

	rels = j.expire(t0.Add(testMaxCall))
	require.Len(t, rels, 1)
	out, _ = buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{orphan}, spansOf(out))
	assertEmpty(t, j)
}

func TestJoinLateRecords(t *testing.T) {
	j := newTestJoin(1 << 20)
	r, partial := ref(1, 1), ref(2, 1)
	j.addRecords(t0, group(t, records(partial, true, false)))

	// Both spans were sent with content of their own.
	late := j.sent(t0, []genai.SpanRef{r, partial})
	assert.Equal(t, 1, late, "records held for a span sent with its content are dropped")
	rels, late := j.addRecords(t0.Add(time.Second), group(t, records(r, true, true)))
	assert.Empty(t, rels)
	assert.Equal(t, 2, late)
	assertEmpty(t, j)

	td := ptrace.NewTraces()
	spanPart(r, false)[r.TraceID].spans.CopyTo(td)
	assert.True(t, j.claim(t0, td).settled[r], "a retried span is sent as it is")

	// After one wait they are forgotten.
	j.expire(t0.Add(testWait))
	rels, late = j.addRecords(t0.Add(testWait), group(t, records(r, true, true)))
	assert.Empty(t, rels)
	assert.Zero(t, late)
	assert.Zero(t, j.recent.bytes())
}

func TestJoinRemembersDeliveredRecords(t *testing.T) {
	j := newTestJoin(1 << 20)
	r := ref(1, 1)
	j.addRecords(t0, group(t, records(r, true, true)))
	buildReleases(j.expire(t0.Add(testWait)))

	td := ptrace.NewTraces()
	spanPart(r, false)[r.TraceID].spans.CopyTo(td)
	c := j.claim(t0.Add(testWait+time.Second), td)
	assert.True(t, c.settled[r], "a span whose records went out alone does not wait for them again")
	_, late := j.addRecords(t0.Add(testWait+time.Second), group(t, records(r, false, true)))
	assert.Equal(t, 1, late, "a straggler of a complete call is late")
}

func TestJoinMemoryBound(t *testing.T) {
	one := logsSizer.LogsSize(records(ref(1, 1), true, true))
	j := newTestJoin(3*one + one/2)
	for k := byte(1); k <= 3; k++ {
		rels, _ := j.addRecords(t0.Add(time.Duration(k)*time.Second), group(t, records(ref(k, 1), true, true)))
		require.Empty(t, rels)
	}
	rels, _ := j.addRecords(t0.Add(4*time.Second), group(t, records(ref(4, 1), true, true)))
	require.Len(t, rels, 1, "the trace due first makes room")
	out, st := buildReleases(rels)
	assert.Equal(t, []genai.SpanRef{ref(1, 1)}, spansOf(out))
	assert.Equal(t, releaseStats{unmatched: 2, evicted: 1}, st)
	assert.LessOrEqual(t, j.heldBytes(), j.maxBytes)

	big := newTestJoin(one / 2)
	rels, _ = big.addRecords(t0, group(t, records(ref(9, 1), true, true)))
	require.Len(t, rels, 1, "records larger than the bound go at once")
	assertEmpty(t, big)
}

func TestJoinMemoryBoundForgetsSentSpansLast(t *testing.T) {
	j := newTestJoin(3 * recentEntryBytes)
	j.sent(t0, []genai.SpanRef{ref(1, 1), ref(2, 1), ref(3, 1), ref(4, 1)})
	assert.Equal(t, 3*recentEntryBytes, j.heldBytes())
	assert.False(t, j.recent.has(ref(1, 1)), "the oldest goes")
	assert.True(t, j.recent.has(ref(4, 1)))
}

func TestJoinDrain(t *testing.T) {
	j := newTestJoin(1 << 20)
	j.hold(t0, spanPart(ref(1, 1), true))
	j.addRecords(t0, group(t, records(ref(1, 2), true, false)))
	j.addRecords(t0, group(t, records(ref(2, 1), true, true)))
	out, st := buildReleases(j.drain(t0))
	assert.ElementsMatch(t, []genai.SpanRef{ref(1, 1), ref(1, 2), ref(2, 1)}, spansOf(out))
	assert.Equal(t, releaseStats{withoutLogs: 1, unmatched: 3}, st)
	assertEmpty(t, j)
}

func TestJoinTick(t *testing.T) {
	assert.Equal(t, 250*time.Millisecond, joinTick(LogsJoinConfig{Wait: 5 * time.Second, MaxCallDuration: 2 * time.Minute}))
	assert.Equal(t, 20*time.Millisecond, joinTick(LogsJoinConfig{Wait: 200 * time.Millisecond, MaxCallDuration: time.Minute}))
	assert.Equal(t, 5*time.Millisecond, joinTick(LogsJoinConfig{Wait: time.Millisecond, MaxCallDuration: time.Minute}))
}

// officialWorkload is n copies of the recorded official-instrumentation
// calls (6 spans, 16 records each), every copy with trace ids of its own;
// round makes the ids of one benchmark round differ from every other's.
func officialWorkload(b *testing.B, n, round int) (ptrace.Traces, plog.Logs) {
	srcTD := fixtures.Recorded(b, fixtures.OTelOpenAI)
	srcLD := fixtures.RecordedLogs(b, fixtures.OTelOpenAI)
	td, ld := ptrace.NewTraces(), plog.NewLogs()
	for k := range n {
		retrace := func(id pcommon.TraceID) pcommon.TraceID {
			id[0], id[1], id[2], id[3] = byte(k>>8), byte(k), byte(round>>8), byte(round)
			return id
		}
		ct, cl := ptrace.NewTraces(), plog.NewLogs()
		srcTD.CopyTo(ct)
		srcLD.CopyTo(cl)
		for _, rs := range ct.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					s.SetTraceID(retrace(s.TraceID()))
				}
			}
		}
		for _, rl := range cl.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					lr.SetTraceID(retrace(lr.TraceID()))
				}
			}
		}
		ct.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
		cl.ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	}
	return td, ld
}

// BenchmarkLogsJoin measures the official instrumentation's calls through
// the join in both orders, against the same calls with their content
// already on the spans sent by a traces-only exporter. The API is a local
// server that only reads the body.
func BenchmarkLogsJoin(b *testing.B) {
	srv := httptest.NewUnstartedServer(nil)
	const copies = 100
	var sent atomic.Int64
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var br precogxapi.BatchRequest
		if json.NewDecoder(r.Body).Decode(&br) == nil {
			sent.Add(int64(len(br.Interactions)))
		}
	})
	calls := copies * fixtures.Recorded(b, fixtures.OTelOpenAI).SpanCount()

	// run pushes a fresh workload each round (prepared off the clock) and
	// checks that every call reached the API.
	run := func(b *testing.B, prepare func(ptrace.Traces, plog.Logs) (ptrace.Traces, plog.Logs), push func(ptrace.Traces, plog.Logs) error) {
		sent.Store(0)
		rounds := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			td, ld := prepare(officialWorkload(b, copies, rounds))
			rounds++
			b.StartTimer()
			if err := push(td, ld); err != nil {
				b.Fatal(err)
			}
		}
		require.Equal(b, int64(rounds*calls), sent.Load())
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rounds*calls), "ns/call")
	}
	srv.Start()
	defer srv.Close()
	asIs := func(td ptrace.Traces, ld plog.Logs) (ptrace.Traces, plog.Logs) { return td, ld }
	newPipeline := func(b *testing.B, logs bool) (exporter.Traces, exporter.Logs) {
		f := NewFactory()
		cfg := f.CreateDefaultConfig().(*Config)
		cfg.ClientConfig.Endpoint = srv.URL
		cfg.APIKey = testAPIKey
		cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
		cfg.RetryConfig.Enabled = false
		cfg.MaxInteractionsPerRequest = 1000
		cfg.MaxRequestBytes = 64 << 20
		cfg.LogsJoin.Wait = time.Hour
		set := exportertest.NewNopSettings(metadata.Type)
		ctx := context.Background()
		traces, err := f.CreateTraces(ctx, set, cfg)
		require.NoError(b, err)
		require.NoError(b, traces.Start(ctx, componenttest.NewNopHost()))
		var lg exporter.Logs
		if logs {
			lg, err = f.CreateLogs(ctx, set, cfg)
			require.NoError(b, err)
			require.NoError(b, lg.Start(ctx, componenttest.NewNopHost()))
		}
		b.Cleanup(func() {
			require.NoError(b, traces.Shutdown(ctx))
			if lg != nil {
				require.NoError(b, lg.Shutdown(ctx))
			}
		})
		return traces, lg
	}
	ctx := context.Background()

	b.Run("content on spans, traces only", func(b *testing.B) {
		traces, _ := newPipeline(b, false)
		onSpans := func(td ptrace.Traces, ld plog.Logs) (ptrace.Traces, plog.Logs) {
			groups, _, _ := groupRecords(ld)
			byRef := map[genai.SpanRef]*recordGroup{}
			for _, g := range groups {
				byRef[g.ref] = g
			}
			return attachClaimed(td, byRef), ld
		}
		run(b, onSpans, func(td ptrace.Traces, _ plog.Logs) error { return traces.ConsumeTraces(ctx, td) })
	})
	b.Run("logs first", func(b *testing.B) {
		traces, logs := newPipeline(b, true)
		run(b, asIs, func(td ptrace.Traces, ld plog.Logs) error {
			if err := logs.ConsumeLogs(ctx, ld); err != nil {
				return err
			}
			return traces.ConsumeTraces(ctx, td)
		})
	})
	b.Run("spans first", func(b *testing.B) {
		traces, logs := newPipeline(b, true)
		run(b, asIs, func(td ptrace.Traces, ld plog.Logs) error {
			if err := traces.ConsumeTraces(ctx, td); err != nil {
				return err
			}
			return logs.ConsumeLogs(ctx, ld)
		})
	})
}
