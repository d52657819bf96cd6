package precogxexporter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func interactions(prompts ...string) []precogxapi.Interaction {
	out := make([]precogxapi.Interaction, len(prompts))
	for i, p := range prompts {
		out[i] = precogxapi.Interaction{AgentID: "a", Prompt: p, Response: "r"}
	}
	return out
}

func TestEncodeInteractions(t *testing.T) {
	list := interactions("<b>x & y</b>", "second")
	list[1].ToolCalls = []precogxapi.ToolCall{{ToolName: "t", Parameters: json.RawMessage(`{"k":1}`)}}
	enc, unencodable := encodeInteractions(list)
	require.Empty(t, unencodable)

	for i := range list {
		var got precogxapi.Interaction
		require.NoError(t, json.Unmarshal(enc.json(i), &got))
		assert.Equal(t, list[i].Prompt, got.Prompt)
	}
	assert.Contains(t, string(enc.json(0)), "<b>x & y</b>", "prompts are not HTML-escaped")
	assert.False(t, strings.HasSuffix(string(enc.json(1)), "\n"))
}

func TestEncodeInteractionsReportsUnencodable(t *testing.T) {
	list := interactions("a", "b", "c")
	list[1].ToolCalls = []precogxapi.ToolCall{{ToolName: "t", Parameters: json.RawMessage(`{not json`)}}
	enc, unencodable := encodeInteractions(list)
	assert.Equal(t, []int{1}, unencodable)
	assert.Empty(t, enc.json(1))

	requests, tooLarge := enc.pack(10, 1<<20)
	assert.Equal(t, [][]int{{0, 2}}, requests)
	assert.Empty(t, tooLarge)
}

func TestPackRespectsBothLimits(t *testing.T) {
	list := interactions("p1", "p2", "p3", "p4", "p5", "p6", "p7")
	enc, _ := encodeInteractions(list)
	one := len(enc.json(0))

	requests, tooLarge := enc.pack(3, 1<<20)
	assert.Equal(t, [][]int{{0, 1, 2}, {3, 4, 5}, {6}}, requests)
	assert.Empty(t, tooLarge)

	// Exactly two interactions fit: overhead + 2 + one comma.
	maxBytes := batchOverhead + 2*one + 1
	requests, _ = enc.pack(100, maxBytes)
	assert.Equal(t, [][]int{{0, 1}, {2, 3}, {4, 5}, {6}}, requests)
	for _, idx := range requests {
		body := enc.batchBody(idx)
		assert.LessOrEqual(t, len(body), maxBytes)
		var br precogxapi.BatchRequest
		require.NoError(t, json.Unmarshal(body, &br))
		assert.Len(t, br.Interactions, len(idx))
	}
	requests, _ = enc.pack(100, maxBytes-1)
	assert.Len(t, requests, 7, "one byte less and only one fits")
}

func TestPackSetsAsideWhatNeverFits(t *testing.T) {
	list := interactions("small", strings.Repeat("x", 500), "small too")
	enc, _ := encodeInteractions(list)
	requests, tooLarge := enc.pack(100, 200)
	assert.Equal(t, [][]int{{0, 2}}, requests)
	assert.Equal(t, []int{1}, tooLarge)
}

func TestBatchBodyIsTheDocumentedShape(t *testing.T) {
	enc, _ := encodeInteractions(interactions("p"))
	assert.JSONEq(t,
		`{"interactions":[{"agent_id":"a","prompt":"p","response":"r","metadata":{"interaction_id":""}}]}`,
		string(enc.batchBody([]int{0})))
}
