package precogxexporter

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/benchcorpus"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// stdJSON is what encoding/json writes for in, as the exporter used to.
func stdJSON(in *precogxapi.Interaction) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func assertSameJSON(t *testing.T, in *precogxapi.Interaction) {
	t.Helper()
	want, wantErr := stdJSON(in)
	got, err := appendInteraction([]byte("prefix"), in)
	if wantErr != nil {
		require.Error(t, err, "encoding/json refuses %#v", in)
		assert.Equal(t, "prefix", string(got), "nothing written on error")
		return
	}
	require.NoError(t, err)
	assert.Equal(t, string(want), strings.TrimPrefix(string(got), "prefix"))
}

// TestAppendInteractionMatchesEncodingJSON compares the hand-written
// encoder with encoding/json on the benchmark corpus and on values that
// exercise every escape, omitempty rule, float format and error.
func TestAppendInteractionMatchesEncodingJSON(t *testing.T) {
	for _, size := range benchcorpus.Sizes {
		res := genai.Convert(benchcorpus.Traces(size.Bytes), genai.Options{MaxFieldBytes: defaultMaxFieldBytes})
		for _, b := range res.Batches {
			for i := range b.Interactions {
				assertSameJSON(t, &b.Interactions[i])
			}
		}
	}
	var all strings.Builder
	for c := range 256 {
		all.WriteByte(byte(c))
	}
	texts := []string{
		"", "plain", all.String(), "<b>x & y</b>", "line\u2028sep\u2029", "bad \xff\xfe utf8 \xed\xa0\x80",
		"emoji 🙏 and é", strings.Repeat("long \"quoted\" text\n", 100), "tab\there\\back/slash",
	}
	temps := []float64{0, 0.7, -0.0, 1e-7, 1e21, 123456789, 1e-6, 5e-324, math.MaxFloat64}
	params := []json.RawMessage{nil, json.RawMessage(`{}`), json.RawMessage(`{ "a" : [1, 2 ,{"b":"c d"}] }`),
		json.RawMessage(`{"x":"\u00e9<>"}`), json.RawMessage(``), json.RawMessage(`{bad`), json.RawMessage(`[1] x`)}
	for i, text := range texts {
		temp := temps[i%len(temps)]
		in := precogxapi.Interaction{
			AgentID: text, Prompt: text, Response: text, ChainOfThought: text,
			ToolCalls: []precogxapi.ToolCall{{ToolName: text, Parameters: params[i%len(params)], Result: text}},
			Metadata: precogxapi.Metadata{
				Timestamp: text, InteractionID: text, Model: text, InputTokens: int64(i) - 3, MaxTokens: int64(i),
				FinishReasons: []string{text, ""}, Temperature: &temp, SystemPrompt: text, Truncated: []string{text},
			},
		}
		assertSameJSON(t, &in)
	}
	for _, p := range params {
		assertSameJSON(t, &precogxapi.Interaction{ToolCalls: []precogxapi.ToolCall{{Parameters: p}}})
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		assertSameJSON(t, &precogxapi.Interaction{Metadata: precogxapi.Metadata{Temperature: &f}})
	}
	assertSameJSON(t, &precogxapi.Interaction{Metadata: precogxapi.Metadata{FinishReasons: []string{}, Truncated: []string{}}})
}

func FuzzAppendInteraction(f *testing.F) {
	f.Add("prompt <&>", `{"a": 1}`, 0.5, int64(3))
	f.Add("\xff\u2028", `{bad`, math.Inf(1), int64(-1))
	f.Fuzz(func(t *testing.T, text, params string, temp float64, tokens int64) {
		in := precogxapi.Interaction{
			AgentID: text, Prompt: text, Response: text,
			ToolCalls: []precogxapi.ToolCall{{ToolName: text, Parameters: json.RawMessage(params), Result: text}},
			Metadata:  precogxapi.Metadata{InteractionID: text, Temperature: &temp, TokensUsed: tokens, FinishReasons: []string{text}},
		}
		assertSameJSON(t, &in)
	})
}
