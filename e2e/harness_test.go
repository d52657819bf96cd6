// Package e2e drives the built otelcol-precogx binary over real sockets on
// 127.0.0.1. `make test` builds the collector and points PRECOGX_COLLECTOR_BIN
// at it; a bare `go test ./...` skips these tests and says why.
package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// runningCollector is a started collector with the ports it was given.
type runningCollector struct {
	*testbed.Collector
	OTLPHTTP   string // base URL of the OTLP/HTTP receiver
	MetricsURL string
}

// startCollector starts the built collector with testdata/<config>, free
// ports in OTLP_HTTP_PORT, HEALTH_PORT and METRICS_PORT, and env on top. It
// waits for the health check and stops the process (by PID) when t ends.
func startCollector(t *testing.T, config string, env map[string]string) *runningCollector {
	t.Helper()
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make test`, which builds the collector first", testbed.CollectorBinEnv)
	}
	ports := map[string]int{}
	for _, name := range []string{"OTLP_HTTP_PORT", "HEALTH_PORT", "METRICS_PORT"} {
		p, err := testbed.FreePort()
		require.NoError(t, err)
		ports[name] = p
	}
	vars := []string{}
	for k, p := range ports {
		vars = append(vars, k+"="+strconv.Itoa(p))
	}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	c, err := testbed.StartCollector(bin, filepath.Join("..", "testdata", config), vars)
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := c.Stop(15 * time.Second); err != nil {
			t.Errorf("stopping collector: %v", err)
		}
		if t.Failed() {
			t.Logf("collector log:\n%s", c.Log())
		}
	})
	require.NoError(t, c.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", ports["HEALTH_PORT"]), 30*time.Second))
	return &runningCollector{
		Collector:  c,
		OTLPHTTP:   fmt.Sprintf("http://127.0.0.1:%d", ports["OTLP_HTTP_PORT"]),
		MetricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", ports["METRICS_PORT"]),
	}
}

// otlpSink is an OTLP/HTTP traces receiver run by the test.
type otlpSink struct {
	*httptest.Server
	mu     sync.Mutex
	traces []ptrace.Traces
}

func newOTLPSink(t *testing.T) *otlpSink {
	s := &otlpSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.traces = append(s.traces, req.Traces())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
		_, _ = w.Write(resp)
	}))
	t.Cleanup(s.Close)
	return s
}

// spans returns every span received so far, each with its resource.
func (s *otlpSink) spans() []receivedSpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []receivedSpan
	for _, td := range s.traces {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j)
				for k := 0; k < ss.Spans().Len(); k++ {
					out = append(out, receivedSpan{span: ss.Spans().At(k), resource: rs.Resource().Attributes().AsRaw()})
				}
			}
		}
	}
	return out
}

type receivedSpan struct {
	span     ptrace.Span
	resource map[string]any
}

// eventually polls cond every 100ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("after %s: "+msg, append([]any{timeout}, args...)...)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkExtras fails the test for every received interaction that no
// expectation names (keys "traceID/spanID"), except the known split-trace
// case: an agent or tool span of an expected trace that reached the exporter
// in another batch than its model call becomes an interaction of its own
// (RELIABILITY.md, known limits). It returns how many such extras came.
func checkExtras(t *testing.T, received []localserver.Received, expected map[string]bool) int {
	t.Helper()
	traces := map[string]bool{}
	for key := range expected {
		traces[strings.SplitN(key, "/", 2)[0]] = true
	}
	extras := 0
	for _, r := range received {
		md := r.Interaction.Metadata
		if expected[md.TraceID+"/"+md.SpanID] {
			continue
		}
		if traces[md.TraceID] && (md.Kind == "agent" || md.Kind == "tool") {
			extras++
			t.Logf("split trace: %s interaction %s/%s arrived apart from its model call", md.Kind, md.TraceID, md.SpanID)
			continue
		}
		t.Errorf("unexpected %s interaction %s/%s of %s", md.Kind, md.TraceID, md.SpanID, r.AgentID)
	}
	return extras
}
