package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Bounds on untrusted input. Attribute values come from any SDK (or attacker):
// nesting is walked recursively, so it is capped, and values beyond the size
// cap are kept as raw strings rather than decoded.
const (
	maxDepth     = 64       // nesting of JSON and of structured AnyValues we walk
	maxJSONBytes = 32 << 20 // larger strings are not JSON-decoded
)

// decodeJSON decodes s when it holds one JSON object, array or string
// (surrounding space allowed). Numbers stay json.Number so that re-encoded
// tool arguments keep their exact digits. ok is false for anything else,
// including SDK-truncated JSON: callers then keep the raw string.
func decodeJSON(s string) (v any, ok bool) {
	t := strings.TrimSpace(s)
	if t == "" || len(t) > maxJSONBytes {
		return nil, false
	}
	switch t[0] {
	case '{', '[', '"':
	default:
		return nil, false
	}
	if nestingExceeds(t, maxDepth) {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false // trailing data
	}
	return v, true
}

// decodeString decodes a JSON string attribute up to two levels (MLflow and
// Logfire JSON-encode values that already are JSON). A value that is not
// JSON is returned unchanged.
func decodeString(s string) any {
	v, ok := decodeJSON(s)
	if !ok {
		return s
	}
	if inner, isStr := v.(string); isStr {
		if v2, ok2 := decodeJSON(inner); ok2 {
			return v2
		}
		return inner
	}
	return v
}

// nestingExceeds reports whether JSON text opens more than limit nested
// objects/arrays, without decoding it.
func nestingExceeds(s string, limit int) bool {
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
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
			if depth > limit {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// toAny converts an attribute value to the JSON-like form the extractors
// walk (string, int64, float64, bool, []any, map[string]any). Strings are
// returned raw; nesting beyond maxDepth is cut off.
func toAny(v pcommon.Value, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeMap:
		m := make(map[string]any, v.Map().Len())
		v.Map().Range(func(k string, e pcommon.Value) bool {
			m[k] = toAny(e, depth+1)
			return true
		})
		return m
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		out := make([]any, s.Len())
		for i := range out {
			out[i] = toAny(s.At(i), depth+1)
		}
		return out
	}
	return nil // empty and bytes values carry no text
}

// decodedAny converts an attribute value and JSON-decodes it when it is a string.
func decodedAny(v pcommon.Value) any {
	if v.Type() == pcommon.ValueTypeStr {
		return decodeString(v.Str())
	}
	return toAny(v, 0)
}

// field returns m[key] for a map value, nil otherwise.
func field(v any, key string) any {
	if m, ok := v.(map[string]any); ok {
		return m[key]
	}
	return nil
}

// firstField returns the first non-nil m[key] of keys.
func firstField(v any, keys ...string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for _, k := range keys {
		if x, ok := m[k]; ok && x != nil {
			return x
		}
	}
	return nil
}

// scalarString returns strings, numbers and booleans as text, "" otherwise.
func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// fieldString returns the first scalar field of keys as text.
func fieldString(v any, keys ...string) string {
	for _, k := range keys {
		if s := scalarString(field(v, k)); s != "" {
			return s
		}
	}
	return ""
}

// asText renders any value as text: strings as is, everything else as JSON.
func asText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case map[string]any, []any:
		return compactJSON(t)
	}
	return scalarString(v)
}

// compactJSON marshals v without HTML escaping; "" when it cannot.
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// asInt reads an integer from any numeric form (int, float, json.Number,
// decimal string).
func asInt(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) || math.Abs(t) > 1<<62 {
			return 0, false
		}
		return int64(t), true
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, true
		}
		if f, err := t.Float64(); err == nil {
			return asInt(f)
		}
	case string:
		return asInt(json.Number(strings.TrimSpace(t)))
	}
	return 0, false
}

// asFloat reads a finite float from any numeric form.
func asFloat(v any) (float64, bool) {
	var f float64
	switch t := v.(type) {
	case int64:
		f = float64(t)
	case float64:
		f = t
	case json.Number:
		var err error
		if f, err = t.Float64(); err != nil {
			return 0, false
		}
	case string:
		return asFloat(json.Number(strings.TrimSpace(t)))
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
