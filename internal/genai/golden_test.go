package genai

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current conversion")

// goldenMaxFieldBytes is the field cap of every golden conversion: fixtures
// with longer content (testdata/spans/truncation.json) show the cut.
const goldenMaxFieldBytes = 4096

// goldenResult is the on-disk form of a Result.
type goldenResult struct {
	Batches []goldenBatch      `json:"batches"`
	Dropped map[DropReason]int `json:"dropped,omitempty"`
}

type goldenBatch struct {
	AgentID      string                   `json:"agent_id"`
	Interactions []precogxapi.Interaction `json:"interactions"`
	Sources      [][]string               `json:"sources"` // trace id-span id, as interaction_id
}

func toGolden(r Result) goldenResult {
	g := goldenResult{Batches: []goldenBatch{}, Dropped: r.Dropped}
	for _, b := range r.Batches {
		gb := goldenBatch{AgentID: b.AgentID, Interactions: b.Interactions}
		for _, refs := range b.Sources {
			ids := []string{}
			for _, ref := range refs {
				ids = append(ids, interactionID(ref))
			}
			gb.Sources = append(gb.Sources, ids)
		}
		g.Batches = append(g.Batches, gb)
	}
	return g
}

func marshalGolden(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(v))
	return buf.Bytes()
}

// fixtureFiles lists every fixture in testdata/spans, so fixtures added
// later (recorded traffic) are tested without touching this file.
func fixtureFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "spans", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func readFixture(t testing.TB, path string) ptrace.Traces {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
	require.NoError(t, err, "fixture %s is not OTLP JSON", path)
	return td
}

func TestConvertGolden(t *testing.T) {
	for _, path := range fixtureFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			td := readFixture(t, path)
			res := Convert(td, Options{MaxFieldBytes: goldenMaxFieldBytes})
			checkResult(t, td, res)

			got := marshalGolden(t, toGolden(res))
			goldenPath := filepath.Join("testdata", "golden", name+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(goldenPath), 0o755))
				require.NoError(t, os.WriteFile(goldenPath, got, 0o644))
				return
			}
			want, err := os.ReadFile(goldenPath)
			require.NoError(t, err, "missing golden: run go test ./internal/genai -run TestConvertGolden -update")
			assert.Equal(t, string(want), string(got))
		})
	}
}

// checkResult asserts the invariants every conversion keeps: each span is
// either in the sources of exactly one interaction or counted as dropped,
// and every interaction is valid UTF-8 JSON with object parameters.
func checkResult(t testing.TB, td ptrace.Traces, res Result) {
	t.Helper()
	accounted := 0
	for _, n := range res.Dropped {
		accounted += n
	}
	seen := map[SpanRef]bool{}
	for _, b := range res.Batches {
		if len(b.Interactions) != len(b.Sources) {
			t.Fatalf("agent %q: %d interactions, %d source lists", b.AgentID, len(b.Interactions), len(b.Sources))
		}
		if b.AgentID == "" {
			t.Fatalf("batch without agent id")
		}
		for i, in := range b.Interactions {
			if in.AgentID != b.AgentID {
				t.Fatalf("interaction of %q in batch %q", in.AgentID, b.AgentID)
			}
			for _, ref := range b.Sources[i] {
				if seen[ref] {
					t.Fatalf("span %v in two interactions", ref)
				}
				seen[ref] = true
			}
			accounted += len(b.Sources[i])
			data, err := json.Marshal(in)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if !json.Valid(data) || !utf8.Valid(data) {
				t.Fatalf("invalid interaction JSON: %q", data)
			}
			var back precogxapi.Interaction
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatalf("round trip: %v", err)
			}
			for _, tc := range in.ToolCalls {
				var obj map[string]any
				if err := json.Unmarshal(tc.Parameters, &obj); err != nil {
					t.Fatalf("parameters %q not an object: %v", tc.Parameters, err)
				}
			}
			if in.Prompt == "" && in.Response == "" && len(in.ToolCalls) == 0 {
				t.Fatalf("empty interaction %s", in.Metadata.InteractionID)
			}
		}
	}
	if accounted != td.SpanCount() {
		t.Fatalf("%d spans in, %d accounted for (sources + dropped)", td.SpanCount(), accounted)
	}
}
