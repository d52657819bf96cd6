package precogxprocessor

import (
	"fmt"
	"runtime"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// mixedBatch is what an agent fleet sends: per service, every convention's
// GenAI spans among the HTTP and DB spans around them (half the spans), and
// one service named per run.
func mixedBatch() ptrace.Traces {
	spans := []testSpan{
		otelAgent, otelChat, otelTool, otelEmbeddings, openLLMetryWorkflow, openLLMetryChat, openLLMetryTool,
		openInferenceAgent, openInferenceLLM, openInferenceChain, vercelGenerate, vercelDoGenerate, vercelToolCall,
		httpSpan, httpSpan, httpSpan, httpSpan, dbSpan, dbSpan, dbSpan,
	}
	var resources []testResource
	for i := range 9 {
		resources = append(resources, testResource{attrs: service(fmt.Sprintf("support-bot-%d", i)), scopes: [][]testSpan{spans, spans}})
	}
	resources = append(resources, testResource{attrs: service(uuidAgent), scopes: [][]testSpan{spans}})
	return newTraces(resources...)
}

// BenchmarkProcessTraces reports the processor's own cost per span. Each
// iteration works on a fresh copy of the batch, made with the timer stopped;
// allocs/span counts only what processTraces allocates (attribute storage
// growing for the two stamps is pdata's).
func BenchmarkProcessTraces(b *testing.B) {
	template := mixedBatch()
	spansPerBatch := template.SpanCount()
	for _, mode := range []SpanSelection{SpansLLM, SpansAll} {
		b.Run("spans="+string(mode), func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.AgentID.From = []string{"gen_ai.agent.name", "service.name"}
			cfg.Spans = mode
			p := newTestTracesProcessor(b, cfg)
			var before, after runtime.MemStats
			var mallocs uint64
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				td := ptrace.NewTraces()
				template.CopyTo(td)
				runtime.ReadMemStats(&before)
				b.StartTimer()

				if _, err := p.processTraces(b.Context(), td); err != nil {
					b.Fatal(err)
				}

				b.StopTimer()
				runtime.ReadMemStats(&after)
				mallocs += after.Mallocs - before.Mallocs
				b.StartTimer()
			}
			spans := float64(b.N) * float64(spansPerBatch)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/spans, "ns/span")
			b.ReportMetric(float64(mallocs)/spans, "allocs/span")
		})
	}
}

// BenchmarkProcessTracesStamped runs the hot path alone: spans: all on a batch
// already stamped (a second collector tier), so nothing is removed, no
// attribute is added, and no copy is needed between iterations.
func BenchmarkProcessTracesStamped(b *testing.B) {
	td := mixedBatch()
	cfg := createDefaultConfig().(*Config)
	cfg.AgentID.From = []string{"gen_ai.agent.name", "service.name"}
	cfg.Spans = SpansAll
	p := newTestTracesProcessor(b, cfg)
	if _, err := p.processTraces(b.Context(), td); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := p.processTraces(b.Context(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*td.SpanCount()), "ns/span")
}
