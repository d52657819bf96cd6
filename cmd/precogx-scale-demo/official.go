package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

// recording is what the official OpenTelemetry OpenAI instrumentation
// emitted for a few calls (testdata/recorded/otel-openai.*): spans without
// content, the content in log records pointing at them. The gateway that
// gets a span must also get its log records to join them.
type recording struct {
	traces ptrace.Traces
	logs   plog.Logs
}

func loadRecording(dir string) (recording, error) {
	var r recording
	data, err := os.ReadFile(filepath.Join(dir, "otel-openai.traces.json"))
	if err != nil {
		return r, err
	}
	if r.traces, err = (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data); err != nil {
		return r, fmt.Errorf("otel-openai.traces.json: %w", err)
	}
	if data, err = os.ReadFile(filepath.Join(dir, "otel-openai.logs.json")); err != nil {
		return r, err
	}
	if r.logs, err = (&plog.JSONUnmarshaler{}).UnmarshalLogs(data); err != nil {
		return r, fmt.Errorf("otel-openai.logs.json: %w", err)
	}
	return r, nil
}

// calls is how many interactions one replay yields: one per model call,
// each recorded as one span.
func (r recording) calls() int { return r.traces.SpanCount() }

// replay returns the recording as service svc sends it once more: its
// service.name and a fresh trace id per recorded trace, shared by the spans
// and the log records of that trace.
func (r recording) replay(svc string) (ptrace.Traces, plog.Logs) {
	fresh := map[pcommon.TraceID]pcommon.TraceID{}
	rekey := func(id pcommon.TraceID) pcommon.TraceID {
		n, ok := fresh[id]
		if !ok {
			_, _ = rand.Read(n[:]) // never fails
			fresh[id] = n
		}
		return n
	}
	td := ptrace.NewTraces()
	r.traces.CopyTo(td)
	for _, rs := range td.ResourceSpans().All() {
		rs.Resource().Attributes().PutStr("service.name", svc)
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				s.SetTraceID(rekey(s.TraceID()))
			}
		}
	}
	ld := plog.NewLogs()
	r.logs.CopyTo(ld)
	for _, rl := range ld.ResourceLogs().All() {
		rl.Resource().Attributes().PutStr("service.name", svc)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.SetTraceID(rekey(lr.TraceID()))
			}
		}
	}
	return td, ld
}

// replayLoop sends the recording as each of agents once per interval for
// duration (ctx cuts it short), and returns the interactions each agent's
// replays must yield.
func replayLoop(ctx context.Context, endpoint string, r recording, agents []string, interval, duration time.Duration) (map[string]int, error) {
	sent := map[string]int{}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	end := time.After(duration)
	for {
		for _, svc := range agents {
			td, ld := r.replay(svc)
			if err := testbed.SendTraces(ctx, endpoint, td); err != nil {
				return sent, fmt.Errorf("replaying the official instrumentation as %s: %w", svc, err)
			}
			if err := testbed.SendLogs(ctx, endpoint, ld); err != nil {
				return sent, fmt.Errorf("replaying the official instrumentation as %s: %w", svc, err)
			}
			sent[svc] += r.calls()
		}
		select {
		case <-ctx.Done():
			return sent, nil
		case <-end:
			return sent, nil
		case <-tick.C:
		}
	}
}
