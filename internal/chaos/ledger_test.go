package chaos

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// jsonl writes records as the local server does.
func jsonl(t *testing.T, records ...localserver.JSONLRecord) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range records {
		require.NoError(t, enc.Encode(r))
	}
	return &b
}

func record(t *testing.T, id, kind string, at time.Time) localserver.JSONLRecord {
	t.Helper()
	raw, err := json.Marshal(precogxapi.Interaction{AgentID: "a1", Metadata: precogxapi.Metadata{InteractionID: id, Kind: kind, SpanName: "chat"}})
	require.NoError(t, err)
	return localserver.JSONLRecord{ReceivedAt: at, AgentID: "a1", Interaction: raw}
}

func TestReconcile(t *testing.T) {
	l := newLedger()
	for _, e := range []agentsim.Expected{
		{TraceID: "t1", SpanID: "s1", Convention: agentsim.OTelGenAI},
		{TraceID: "t1", SpanID: "s2", Convention: agentsim.OTelGenAI},
		{TraceID: "t2", SpanID: "s3", Convention: agentsim.VercelAI},
		{TraceID: "t3", SpanID: "s4", Convention: agentsim.VercelAI},
	} {
		l.expect(e)
	}
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	got, err := parseDeliveries(jsonl(t,
		record(t, "t1-s1", "llm", t0),
		record(t, "t1-s2", "llm", t0),
		record(t, "t1-s1", "llm", t0.Add(2*time.Second)), // a resend
		record(t, "t1-s1", "llm", t0.Add(3*time.Second)), // and another
		record(t, "t2-s3", "llm", t0),
		record(t, "t2-s9", "agent", t0), // a wrapper of t2's exchange
		record(t, "t9-s9", "llm", t0),   // from nowhere
	))
	require.NoError(t, err)

	tally := l.reconcile(got)
	assert.Equal(t, 4, tally.Expected)
	assert.Equal(t, map[agentsim.Convention]int{agentsim.OTelGenAI: 2, agentsim.VercelAI: 2}, tally.ByConvention)
	assert.Equal(t, 3, tally.Delivered)
	assert.Equal(t, []string{"t3-s4"}, tally.Lost)
	assert.Equal(t, 2, tally.Duplicates)
	assert.Equal(t, []time.Time{t0, t0}, tally.DuplicateTimes, "when the first copy arrived, once per extra copy")
	require.Len(t, tally.Unexpected, 2)
	assert.Equal(t, "t2-s9", tally.Unexpected[0].ID)
	assert.True(t, tally.Unexpected[0].OfExpectedTrace)
	assert.Equal(t, "agent", tally.Unexpected[0].Kind)
	assert.False(t, tally.Unexpected[1].OfExpectedTrace)
}

func TestParseDeliveriesRejectsGarbage(t *testing.T) {
	_, err := parseDeliveries(bytes.NewBufferString("{\"interaction\": \n"))
	assert.ErrorContains(t, err, "line 1")
}

func TestResultLostSubtractsCountedDrops(t *testing.T) {
	r := Result{
		Tally:           Tally{Expected: 10, Lost: []string{"a", "b", "c"}},
		ExporterDropped: map[string]float64{"too_large": 2, "not_llm": 50, "no_content": 4},
	}
	assert.Equal(t, 1, r.Lost(), "span reasons are not interactions")
	r.ExporterDropped["rejected"] = 5
	assert.Zero(t, r.Lost())
}

func TestDuplicatesByStep(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	r := Result{
		Timeline: []Mark{{"steady", t0}, {"slow answers", t0.Add(10 * time.Second)}, {"drain", t0.Add(20 * time.Second)}},
		Tally:    Tally{DuplicateTimes: []time.Time{t0.Add(-time.Second), t0.Add(12 * time.Second), t0.Add(19 * time.Second), t0.Add(25 * time.Second)}},
	}
	assert.Equal(t, map[string]int{"before the first step": 1, "slow answers": 2, "drain": 1}, r.DuplicatesByStep())
}
