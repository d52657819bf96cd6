package loadbench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkload(t *testing.T) {
	w, err := NewWorkload(5, 4, 2, 1)
	require.NoError(t, err)
	require.NotEmpty(t, w.Batches)
	total := 0
	for i, td := range w.Batches {
		assert.Equal(t, 1, td.ResourceSpans().Len(), "one agent per request")
		assert.Equal(t, td.SpanCount(), w.Spans[i])
		assert.NotEmpty(t, w.Bodies[i])
		total += w.Spans[i]
	}
	assert.Equal(t, total, w.Total)
	assert.Greater(t, w.GenAI, w.Total/5, "LLM-heavy")
	assert.Less(t, w.GenAI, w.Total, "with the usual non-GenAI spans")
}

func TestRunPipelines(t *testing.T) {
	w, err := NewWorkload(5, 4, 2, 1)
	require.NoError(t, err)
	res, err := RunPipelines(context.Background(), w, 200*time.Millisecond)
	require.NoError(t, err)
	require.Len(t, res, 2)
	for _, r := range res {
		assert.Positive(t, r.Spans, r.Name)
		assert.Positive(t, r.Delivered, r.Name)
		assert.Greater(t, r.Busy, r.Sink, r.Name)
		assert.Greater(t, r.ComponentSpansPerSecond(), r.SpansPerSecond(), r.Name)
	}
}
