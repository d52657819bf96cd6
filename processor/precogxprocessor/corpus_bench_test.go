package precogxprocessor

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/benchcorpus"
)

// BenchmarkProcessCorpus runs the processor on the benchmark corpus: every
// convention's agent turn with its HTTP and database spans (about half the
// spans are not GenAI spans and are dropped). Each iteration works on a
// fresh copy made with the timer stopped; the figures are per input span.
func BenchmarkProcessCorpus(b *testing.B) {
	for _, size := range benchcorpus.Sizes {
		b.Run(size.Name, func(b *testing.B) {
			template := benchcorpus.Traces(size.Bytes)
			cfg := createDefaultConfig().(*Config)
			cfg.AgentID.From = []string{"gen_ai.agent.name", "service.name"}
			p := newTestTracesProcessor(b, cfg)
			copies := make([]ptrace.Traces, 0, 1024)
			next := 0
			b.SetBytes(benchcorpus.ContentBytes(template))
			benchcorpus.PerSpan(b, template.SpanCount(), func(m *benchcorpus.Meter) {
				if next == len(copies) {
					m.Untimed(func() { copies, next = refill(copies[:0], template), 0 })
				}
				td := copies[next]
				next++
				if _, err := p.processTraces(b.Context(), td); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// refill makes copies of template, so that copying is not measured.
func refill(dst []ptrace.Traces, template ptrace.Traces) []ptrace.Traces {
	for len(dst) < cap(dst) {
		td := ptrace.NewTraces()
		template.CopyTo(td)
		dst = append(dst, td)
	}
	return dst
}
