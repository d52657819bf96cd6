package testbed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScrapeMetrics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "# HELP x y\n"+
			`otelcol_exporter_precogx_interactions_dropped{exporter="precogx",reason="agent_limit"} 3`+"\n"+
			`otelcol_exporter_precogx_interactions_dropped{exporter="precogx",reason="rejected"} 2`+"\n"+
			`otelcol_exporter_precogx_interactions_sent{exporter="precogx"} 40`+"\n"+
			"otelcol_process_uptime 1.5e+01\n")
	}))
	defer srv.Close()
	m, err := ScrapeMetrics(context.Background(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 5.0, m.Sum("otelcol_exporter_precogx_interactions_dropped"))
	assert.Equal(t, 3.0, m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="agent_limit"`))
	assert.Equal(t, 40.0, m.Sum("otelcol_exporter_precogx_interactions_sent"))
	assert.Equal(t, 15.0, m.Sum("otelcol_process_uptime"))
	assert.Zero(t, m.Sum("otelcol_exporter_precogx_interactions"), "a name prefix is not a match")
}

func TestSendTraces(t *testing.T) {
	got := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := ptraceotlp.NewExportRequest()
		body := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		if r.URL.Path != "/v1/traces" || req.UnmarshalProto(body) != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		got <- req.Traces().SpanCount()
	}))
	defer srv.Close()
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("chat")
	require.NoError(t, SendTraces(context.Background(), srv.URL, td))
	assert.Equal(t, 1, <-got)
	assert.ErrorContains(t, SendTraces(context.Background(), srv.URL+"/nope", td), "400")
}

// TestCollectorProcess drives the process handling with a shell script
// standing in for the collector.
func TestCollectorProcess(t *testing.T) {
	script := filepath.Join(t.TempDir(), "fakecol")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"started with $1 $FAKE\"\nexec sleep 60\n"), 0o755))
	c, err := StartCollector(script, "cfg.yaml", []string{"FAKE=yes"})
	require.NoError(t, err)
	assert.Positive(t, c.PID())
	assert.Eventually(t, func() bool { return c.Log() == "started with --config=cfg.yaml yes\n" }, 5*time.Second, 10*time.Millisecond, c.Log())
	err = c.WaitHTTP("http://127.0.0.1:1/", 300*time.Millisecond)
	assert.ErrorContains(t, err, "did not answer 200")
	assert.NoError(t, c.Stop(5*time.Second), "SIGTERM ends it")
	assert.True(t, c.Exited())
	assert.ErrorContains(t, c.WaitHTTP("http://127.0.0.1:1/", time.Second), "exited")

	p, err := FreePort()
	require.NoError(t, err)
	assert.Positive(t, p)
}

func TestFreePorts(t *testing.T) {
	ports, err := FreePorts(5)
	require.NoError(t, err)
	require.Len(t, ports, 5)
	seen := map[int]bool{}
	for _, p := range ports {
		assert.False(t, seen[p], "port %d twice", p)
		seen[p] = true
	}
}
