package benchcorpus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/genai"
)

// conventionOf is the metadata.convention each corpus convention converts to.
var conventionOf = map[string]string{"otel_genai_events": "otel_genai"}

// TestCorpusConverts checks that every turn is what the benchmarks claim:
// two interactions per convention with the turn's question, answer and the
// executed tool call, the non-GenAI spans dropped, content of the size asked.
func TestCorpusConverts(t *testing.T) {
	for _, size := range Sizes {
		td := Traces(size.Bytes)
		res := genai.Convert(td, genai.Options{})
		require.Len(t, res.Batches, len(Conventions), size.Name)
		assert.Equal(t, map[genai.DropReason]int{genai.DropNotLLM: 4 * len(Conventions)}, res.Dropped, size.Name)
		for i, conv := range Conventions {
			b := res.Batches[i]
			tt := newTurn(conv, i, size.Bytes)
			want := conv
			if c, ok := conventionOf[conv]; ok {
				want = c
			}
			require.Len(t, b.Interactions, 2, conv)
			first, second := b.Interactions[0], b.Interactions[1]
			assert.Equal(t, tt.question, first.Prompt, conv)
			assert.Equal(t, tt.question, second.Prompt, conv)
			assert.Equal(t, tt.answer, second.Response, conv)
			assert.Equal(t, want, second.Metadata.Convention, conv)
			require.Len(t, first.ToolCalls, 1, conv)
			assert.Equal(t, tt.tool, first.ToolCalls[0].ToolName, conv)
			assert.JSONEq(t, tt.args, string(first.ToolCalls[0].Parameters), conv)
			wantResult := tt.result
			if conv == "adk" { // ADK tools return an object
				wantResult = js(obj{{"result", tt.result}})
			}
			assert.Equal(t, wantResult, first.ToolCalls[0].Result, conv)
			assert.Len(t, b.Sources[0], 2, "%s: the tool span folds into the call", conv)
		}
	}
}

func TestCorpusSizes(t *testing.T) {
	for _, size := range Sizes {
		for _, conv := range Conventions {
			td := LLMSpans(conv, size.Bytes)
			require.Equal(t, 2, td.SpanCount())
			perSpan := float64(ContentBytes(td)) / 2
			// Beyond the text, spans carry the JSON around it and their
			// other attributes (model, ids, tokens): a few hundred bytes.
			// OpenInference records the raw request and response beside the
			// messages, so its spans carry the text twice.
			copies := 1.0
			if conv == "openinference" {
				copies = 2
			}
			assert.GreaterOrEqual(t, perSpan, copies*float64(size.Bytes), "%s %s", conv, size.Name)
			assert.LessOrEqual(t, perSpan, copies*(1.05*float64(size.Bytes)+600), "%s %s", conv, size.Name)
		}
	}
}

func TestCorpusDeterministic(t *testing.T) {
	a, b := Traces(1024), Traces(1024)
	ma, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(a)
	require.NoError(t, err)
	mb, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(b)
	require.NoError(t, err)
	assert.Equal(t, ma, mb)
}
