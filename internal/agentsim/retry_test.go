package agentsim

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExportRetryRidesOutARestart: with ExportRetry set, an agent whose
// endpoint refuses connections for a while, then closes one connection
// without answering (a collector killed mid-request), loses no span.
func TestExportRetryRidesOutARestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // refused until the receiver comes up

	recv := newReceiver(t, http.StatusOK)
	var dropped atomic.Bool
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dropped.CompareAndSwap(false, true) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		recv.serve(w, r)
	})}
	go func() {
		time.Sleep(time.Second)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Errorf("listen again on %s: %v", addr, err)
			return
		}
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() { _ = srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := Run(ctx, Config{Endpoint: "http://" + addr, Agents: 2, Traces: 3, Seed: 1, ExportRetry: 20 * time.Second}, Options{})
	require.NoError(t, err)
	_, spans, failed := rep.Totals()
	assert.Zero(t, failed)
	assert.True(t, dropped.Load(), "no connection was dropped")

	recv.mu.Lock()
	defer recv.mu.Unlock()
	received := 0
	for _, td := range recv.requests {
		received += td.SpanCount()
	}
	assert.GreaterOrEqual(t, received, spans, "spans the exporter counted as sent but the receiver never decoded")
}

// TestNoExportRetryGivesUpOnRefusedConnections: without ExportRetry a
// refused connection fails the export at once, as the OTLP exporter does.
func TestNoExportRetryGivesUpOnRefusedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	rep, err := Run(ctx, Config{Endpoint: "http://" + addr, Agents: 1, Traces: 1, Seed: 1}, Options{})
	require.Error(t, err)
	_, _, failed := rep.Totals()
	assert.Positive(t, failed)
	assert.Less(t, time.Since(start), 20*time.Second, "a refused connection was retried")
}

func TestExportRetryMustNotBeNegative(t *testing.T) {
	cfg := Config{Endpoint: "http://127.0.0.1:1", Agents: 1, Traces: 1, ExportRetry: -time.Second}
	assert.ErrorContains(t, cfg.Validate(), "export retry")
}
