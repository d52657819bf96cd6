package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.uber.org/goleak"

	"github.com/precogxai/precogx-otel/internal/agentsim"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestParseFlags(t *testing.T) {
	s, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:4318", s.cfg.Endpoint)
	assert.Equal(t, 5, s.cfg.Agents)
	assert.Equal(t, agentsim.AllConventions(), s.cfg.Conventions)
	assert.Equal(t, 10, s.cfg.Traces)
	assert.Equal(t, time.Second, s.progressIn)

	s, err = parseFlags([]string{
		"--endpoint", "http://127.0.0.1:9999", "--agents", "3", "--conventions", "openinference,vercel_ai",
		"--scenarios", "pii", "--rate", "2.5", "--duration", "1m", "--traces", "0", "--seed", "9",
		"--expect-out", "/tmp/x.jsonl", "--header", "x-api-key=px_test=1", "--header", "X-Tenant=acme",
		"--environment", "staging", "--progress", "0",
	}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, agentsim.Config{
		Endpoint: "http://127.0.0.1:9999", Agents: 3,
		Conventions: []agentsim.Convention{agentsim.OpenInference, agentsim.VercelAI},
		Scenarios:   []agentsim.Scenario{agentsim.ScenarioPII},
		Rate:        2.5, Duration: time.Minute, Traces: 0, Seed: 9, Environment: "staging",
		Headers: map[string]string{"x-api-key": "px_test=1", "X-Tenant": "acme"},
	}, s.cfg)
	assert.Equal(t, "/tmp/x.jsonl", s.expectOut)
	assert.Zero(t, s.progressIn)

	for _, bad := range [][]string{
		{"--conventions", "otel_genai,langchain"},
		{"--scenarios", "nope"},
		{"--header", "novalue"},
		{"--header", "=v"},
		{"--agents", "0"},
		{"--traces", "0"},
		{"--endpoint", "127.0.0.1:4318"},
		{"--progress", "-1s"},
		{"extra"},
	} {
		_, err := parseFlags(bad, io.Discard)
		assert.Error(t, err, "%v", bad)
	}
}

// receiver counts spans per service.name from OTLP/HTTP protobuf requests.
type receiver struct {
	mu    sync.Mutex
	spans map[string]int
}

func startReceiver(t *testing.T, status int) (*receiver, string) {
	r := &receiver{spans: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		er := ptraceotlp.NewExportRequest()
		if err := er.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		td := er.Traces()
		r.mu.Lock()
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			name, _ := rs.Resource().Attributes().Get("service.name")
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				r.spans[name.Str()] += rs.ScopeSpans().At(j).Spans().Len()
			}
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func TestRunWritesSummaryAndExpectations(t *testing.T) {
	rcv, url := startReceiver(t, http.StatusOK)
	out := filepath.Join(t.TempDir(), "expected.jsonl")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{
		"--endpoint", url, "--agents", "2", "--traces", "3", "--rate", "30", "--progress", "20ms", "--expect-out", out,
	}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())

	text := stdout.String()
	assert.Contains(t, text, "traces=")
	for _, line := range []string{"support-bot", "sales-assistant"} {
		assert.Regexp(t, line+`\s+\S+\s+3\s+\d+\s+0`, text)
	}
	assert.Contains(t, text, "expectations: ")

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		var e agentsim.Expected
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		assert.NotEmpty(t, e.Prompt)
		assert.Len(t, e.SpanID, 16)
		lines++
	}
	assert.Positive(t, lines)
	assert.Contains(t, text, "expectations: "+strconv.Itoa(lines)+" written")

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	assert.Len(t, rcv.spans, 2)
	for agent, n := range rcv.spans {
		assert.Regexp(t, agent+`\s+\S+\s+3\s+`+strconv.Itoa(n)+`\s+0`, text, "summary matches what arrived")
	}
}

func TestRunFailsWhenExportFails(t *testing.T) {
	_, url := startReceiver(t, http.StatusBadRequest)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--endpoint", url, "--agents", "1", "--traces", "1", "--progress", "0"}, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "export failed")
	assert.Contains(t, stdout.String(), "support-bot")
}

func TestRunUsageErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run(context.Background(), []string{"--agents", "-1"}, &stdout, &stderr))
	assert.Equal(t, exitOK, run(context.Background(), []string{"-h"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "Usage: agentsim")
}

func TestRunFailsOnUnwritableExpectations(t *testing.T) {
	var stdout, stderr bytes.Buffer
	dir := filepath.Join(t.TempDir(), "missing", "x.jsonl")
	code := run(context.Background(), []string{"--endpoint", "http://127.0.0.1:1", "--expect-out", dir, "--progress", "0"}, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
}
