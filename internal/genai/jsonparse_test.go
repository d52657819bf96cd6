package genai

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdDecode is how the conversion decoded JSON before it had its own
// reader: encoding/json with json.Number, one value and nothing after it,
// nesting at most maxDepth.
func stdDecode(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[' && t[0] != '"') {
		return nil, false
	}
	depth, maxSeen, inString, escaped := 0, 0, false, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			maxSeen = max(maxSeen, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	if maxSeen > maxDepth {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// stdEncode is what encoding/json writes for decoded values.
func stdEncode(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func checkSameAsStd(t *testing.T, s string) {
	t.Helper()
	want, wantOK := stdDecode(s)
	tr := &tree{}
	got, ok := tr.decodeJSON(s)
	require.Equal(t, wantOK, ok, "accepts %q", s)
	if !ok {
		assert.Empty(t, tr.nodes, "a refused text leaves no nodes")
		return
	}
	assert.Equal(t, want, toGo(got), "decodes %q", s)
	if m, isMap := want.(map[string]any); isMap {
		for k, x := range m {
			f, ok := got.get(k)
			require.True(t, ok, "member %q of %q", k, s)
			assert.Equal(t, x, toGo(f), "member %q of %q: the last of duplicates", k, s)
		}
	}
	assert.Equal(t, stdEncode(want), compactJSON(got), "encodes %q", s)
}

var jsonCases = []string{
	`{}`, `[]`, `""`, ` {"a" : [1, -0.5e+3, 0, true, false, null, "x"]} `, `{"a":1,"a":2}`,
	`"\u00e9\ud83d\ude4f \ud800 \udc00x \ud800\u0041 \/ \b\f\n\r\t \" \\"`, "\"bad \xff\xfe \xed\xa0\x80 utf8\"",
	`["\u2028\u2029", "<&>", "ctrl \u0001"]`, `{"z":1,"b":{"y":[{}],"a":""},"a":null}`, "{\"k\xff\":1}",
	`{"a":1}x`, `{"a":1} {}`, `{"a":}`, `[1,]`, `{"a":1,}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[-]`, `["\x"]`,
	`["\u12"]`, "[\"raw\ncontrol\"]", `[tru]`, `[nul]`, `{"a" 1}`, `{1:2}`, `[`, `{`, `"open`, `"`, `[1 2]`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	"\u00a0{\"nbsp\":1}\u00a0", "\t[1]\n", `[1e400, -1e-400, 123456789012345678901234567890]`,
	`"{\"double\":\"encoded\"}"`, `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k0":"last"}`,
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":"unique"}`, `{"a":"` + strings.Repeat("x\\n", 300) + `"}`,
}

func TestDecodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonCases {
		checkSameAsStd(t, s)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSameAsStd(t, s)
	})
}
