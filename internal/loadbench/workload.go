package loadbench

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/genai"
)

// Workload is the traffic of the simulated agents, cut into OTLP export
// requests as their SDKs would send them: each request holds a few traces
// of one agent (one resource).
type Workload struct {
	Batches []ptrace.Traces
	Bodies  [][]byte // Batches as OTLP/HTTP protobuf request bodies
	Spans   []int    // spans of each batch
	Total   int      // spans of all batches
	GenAI   int      // spans of them that are LLM, tool or agent spans
}

// NewWorkload simulates agents (every convention, every scenario, about
// 40% GenAI spans among HTTP and database spans) sending traces traces
// each, tracesPerRequest traces to a request.
func NewWorkload(agents, traces, tracesPerRequest int, seed int64) (*Workload, error) {
	exp := tracetest.NewInMemoryExporter()
	_, err := agentsim.Generate(context.Background(), agentsim.Config{Agents: agents, Traces: traces, Seed: seed}, exp)
	if err != nil {
		return nil, err
	}
	spans := exp.GetSpans().Snapshots()
	inRequest := map[[16]byte]struct{}{} // traces of the request being cut
	w := &Workload{}
	// Spans of one agent arrive trace after trace; cut after every
	// tracesPerRequest traces or when the agent changes.
	start := 0
	flush := func(end int) error {
		if end <= start {
			return nil
		}
		td := agentsim.ToTraces(spans[start:end])
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err != nil {
			return err
		}
		w.Batches = append(w.Batches, td)
		w.Bodies = append(w.Bodies, body)
		w.Spans = append(w.Spans, td.SpanCount())
		w.Total += td.SpanCount()
		start = end
		clear(inRequest)
		return nil
	}
	for i, s := range spans {
		if i > start && s.Resource() != spans[start].Resource() {
			if err := flush(i); err != nil {
				return nil, err
			}
		}
		id := [16]byte(s.SpanContext().TraceID())
		if _, seen := inRequest[id]; !seen && len(inRequest) == tracesPerRequest {
			if err := flush(i); err != nil {
				return nil, err
			}
		}
		inRequest[id] = struct{}{}
	}
	if err := flush(len(spans)); err != nil {
		return nil, err
	}
	w.GenAI = countGenAI(w.Batches)
	if w.Total == 0 {
		return nil, fmt.Errorf("the simulation produced no spans")
	}
	return w, nil
}

func countGenAI(batches []ptrace.Traces) int {
	n := 0
	for _, td := range batches {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, span := range ss.Spans().All() {
					if genai.Classify(span) != genai.KindOther {
						n++
					}
				}
			}
		}
	}
	return n
}
