package precogxprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"

	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
)

// TestRecordedLibraries runs the processor over what real instrumentation
// libraries emitted: every span of theirs is a GenAI span, so all are kept,
// stamped with the library's service.name and classed as each convention says.
func TestRecordedLibraries(t *testing.T) {
	wantKinds := map[string]map[string]int{
		fixtures.OTelOpenAI:          {"llm": 6},
		fixtures.TraceloopOpenAI:     {"llm": 6},
		fixtures.OpenInferenceOpenAI: {"llm": 6},
		fixtures.VercelAI:            {"agent": 4, "llm": 6, "tool": 2},
	}
	for _, library := range fixtures.RecordedLibraries {
		t.Run(library, func(t *testing.T) {
			td := fixtures.Recorded(t, library)
			spans := td.SpanCount()
			p := newTestTracesProcessor(t, createDefaultConfig().(*Config))

			out, err := p.processTraces(t.Context(), td)
			require.NoError(t, err)
			require.Equal(t, spans, out.SpanCount())

			kinds := map[string]int{}
			rss := out.ResourceSpans()
			for i := 0; i < rss.Len(); i++ {
				for j := 0; j < rss.At(i).ScopeSpans().Len(); j++ {
					ss := rss.At(i).ScopeSpans().At(j).Spans()
					for k := 0; k < ss.Len(); k++ {
						attrs := ss.At(k).Attributes()
						id, _ := attrs.Get(genai.AttrAgentID)
						assert.Equal(t, library, id.Str())
						kind, _ := attrs.Get(genai.AttrKind)
						kinds[kind.Str()]++
					}
				}
			}
			assert.Equal(t, wantKinds[library], kinds)
		})
	}
}

func TestRecordedLogs(t *testing.T) {
	ld := fixtures.RecordedLogs(t, fixtures.OTelOpenAI)
	records := ld.LogRecordCount()
	telemetry, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	p := newLogsProcessor(createDefaultConfig().(*Config), zap.NewNop(), telemetry)

	out, err := p.processLogs(t.Context(), ld)
	require.NoError(t, err)
	require.Equal(t, records, out.LogRecordCount())
	rls := out.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		for j := 0; j < rls.At(i).ScopeLogs().Len(); j++ {
			lrs := rls.At(i).ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				id, _ := lrs.At(k).Attributes().Get(genai.AttrAgentID)
				assert.Equal(t, fixtures.OTelOpenAI, id.Str())
			}
		}
	}
}
