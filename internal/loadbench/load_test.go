package loadbench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

// TestRunLoad runs both benchmark pipelines briefly through the built
// collector (PRECOGX_COLLECTOR_BIN, set by make test).
func TestRunLoad(t *testing.T) {
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skip(testbed.CollectorBinEnv + " not set; run make test")
	}
	w, err := NewWorkload(5, 20, 2, 1)
	require.NoError(t, err)
	for _, p := range []Pipeline{
		{Name: "precogx", Config: "../../testdata/bench-precogx.yaml", PrecogX: true},
		{Name: "passthrough", Config: "../../testdata/bench-passthrough.yaml"},
	} {
		res, err := RunLoad(context.Background(), bin, p, w, 2000, 500*time.Millisecond, 2*time.Second, 4)
		require.NoError(t, err, p.Name)
		assert.Positive(t, res.Sent, p.Name)
		assert.Zero(t, res.Refused, p.Name)
		assert.Positive(t, res.CPU, p.Name)
		assert.Greater(t, res.PeakRSS, int64(10<<20), p.Name)
		assert.InDelta(t, 2000, res.AchievedRate(), 600, p.Name)
		assert.NotEmpty(t, res.RSS, p.Name)
	}
}
