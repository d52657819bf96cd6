package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunServesAndFlushesOnStop(t *testing.T) {
	jsonl := filepath.Join(t.TempDir(), "out.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdoutR, stdoutW := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"--listen", "127.0.0.1:0", "--api-key", "px_k1_aaaaaaaa", "--api-key", "px_k2_bbbbbbbb",
			"--plan", "free", "--jsonl", jsonl, "--quiet"}, stdoutW, &stderr)
		stdoutW.CloseWithError(err)
		done <- err
	}()

	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v (stderr %s)", err, stderr.String())
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line = %q", line)
	}

	transport := &http.Transport{}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	post := func(key, agent string) int {
		body := `{"agent_id":"` + agent + `","prompt":"p","response":"r","metadata":{"interaction_id":"` + agent + `-1"}}`
		req, _ := http.NewRequest(http.MethodPost, base+precogxapi.PathIngest, strings.NewReader(body))
		req.Header.Set(precogxapi.HeaderAPIKey, key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		key, agent string
		want       int
	}{
		{"px_k1_aaaaaaaa", "bot", http.StatusOK},
		{"px_k1_aaaaaaaa", "other-bot", http.StatusForbidden}, // free plan
		{"px_k2_bbbbbbbb", "other-bot", http.StatusOK},        // the second key has its own slot
		{localserver.DefaultAPIKey, "bot", http.StatusUnauthorized},
	} {
		if got := post(c.key, c.agent); got != c.want {
			t.Errorf("%s %s: status %d, want %d", c.key, c.agent, got, c.want)
		}
	}
	resp, err := client.Get(base + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	var st localserver.Stats
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || st.Totals.Accepted != 2 || st.Totals.RejectedRequests[localserver.ReasonAgentLimit] != 1 {
		t.Errorf("stats = %+v, %v", st.Totals, err)
	}
	transport.CloseIdleConnections()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	data, err := os.ReadFile(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 2 {
		t.Errorf("JSONL holds %d lines after stop, want 2:\n%s", n, data)
	}
	if strings.Contains(string(data)+stderr.String(), "px_k1_aaaaaaaa") {
		t.Error("an API key reached the JSONL file or the log")
	}
}

func TestParseFlags(t *testing.T) {
	opts, err := parseFlags([]string{
		"--plan", "3", "--rate-limit", "60", "--rate-burst", "5", "--error-shape", "error", "--no-batch",
		"--error-rate", "0.2", "--latency", "50ms", "--burst-5xx", "5s/30s", "--storm-429", "2s", "--retry-after", "3s",
		"--drop-conn-rate", "0.1", "--outage", "503", "--slow-rate", "0.5", "--slow-delay", "2s", "--seed", "42",
		"--max-body", "1024",
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg := opts.cfg
	if opts.listen != "127.0.0.1:0" || len(cfg.Keys) != 1 || cfg.Keys[0].Key != localserver.DefaultAPIKey {
		t.Errorf("listen %q, keys %+v", opts.listen, cfg.Keys)
	}
	if k := cfg.Keys[0]; k.Plan.MaxAgents != 3 || k.Rate == nil || *k.Rate != (localserver.Rate{PerMinute: 60, Burst: 5}) {
		t.Errorf("key = %+v (rate %+v)", k, k.Rate)
	}
	wantFaults := localserver.Faults{
		ErrorRate: 0.2, Latency: 50 * time.Millisecond,
		Burst5xx:   localserver.Window{Length: 5 * time.Second, Every: 30 * time.Second},
		Storm429:   localserver.Window{Length: 2 * time.Second},
		RetryAfter: 3 * time.Second, DropConnRate: 0.1, Outage: localserver.Outage503, SlowRate: 0.5, SlowDelay: 2 * time.Second,
	}
	if cfg.Faults != wantFaults || cfg.ErrorShape != localserver.ShapeError || !cfg.DisableBatch || cfg.Seed != 42 ||
		cfg.MaxBodyBytes != 1024 || cfg.RetainInteractions >= 0 {
		t.Errorf("cfg = %+v", cfg)
	}

	defaults, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if k := defaults.cfg.Keys[0]; k.Plan != localserver.PlanEnterprise || k.Rate != nil {
		t.Errorf("default key = %+v", k)
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"--plan", "gold"},
		{"--burst-5xx", "soon"},
		{"--storm-429", "1s/x"},
		{"--error-rate", "2"},
		{"--outage", "sometimes"},
		{"--error-shape", "xml"},
		{"--listen", "0.0.0.0:0"},
		{"--api-key", ""},
		{"extra"},
	} {
		var stdout bytes.Buffer
		if err := run(context.Background(), args, &stdout, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) printed %q", args, stdout.String())
		}
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
