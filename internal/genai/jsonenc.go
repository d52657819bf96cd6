package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/precogxai/precogx-otel/internal/jsonw"
)

// The JSON writer for values of the tree. Its output is byte for byte what
// encoding/json writes for the same data decoded into interface values
// (object keys sorted, no HTML escaping), which the golden files pin.

// compactJSON encodes v; "" when it cannot (a NaN or infinite float).
func compactJSON(v value) string {
	b, ok := appendValue(nil, v, 0)
	if !ok {
		return ""
	}
	return string(b)
}

func appendValue(dst []byte, v value, depth int) ([]byte, bool) {
	if depth > maxDepth {
		return dst, false
	}
	switch v.kind() {
	case vNull:
		return append(dst, "null"...), true
	case vBool:
		return strconv.AppendBool(dst, v.node().num != 0), true
	case vNumber:
		return append(dst, v.node().s...), true
	case vInt:
		return strconv.AppendInt(dst, int64(v.node().num), 10), true
	case vFloat:
		return jsonw.AppendFloat(dst, math.Float64frombits(v.node().num))
	case vString:
		return jsonw.AppendString(dst, v.str()), true
	case vArray:
		dst = append(dst, '[')
		for e := v.first(); e.present(); e = e.next() {
			if e.i != v.node().first {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendValue(dst, e, depth+1); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	}
	return appendObject(dst, v, depth)
}

// appendObject writes the members sorted by key; of duplicate keys the last
// one wins, as when decoding into a map.
func appendObject(dst []byte, v value, depth int) ([]byte, bool) {
	t := v.t
	start := len(t.scratch)
	for m := v.first(); m.present(); m = m.next() {
		t.scratch = append(t.scratch, m.i)
	}
	n := len(t.scratch) - start
	slices.SortStableFunc(t.scratch[start:], func(a, b int32) int {
		return strings.Compare(t.nodes[a].key, t.nodes[b].key)
	})
	defer func() { t.scratch = t.scratch[:start] }()
	dst = append(dst, '{')
	wrote := false
	for j := range n {
		m := t.scratch[start+j] // re-read: nested objects grow t.scratch
		if j+1 < n && t.nodes[t.scratch[start+j+1]].key == t.nodes[m].key {
			continue
		}
		if wrote {
			dst = append(dst, ',')
		}
		wrote = true
		dst = jsonw.AppendString(dst, t.nodes[m].key)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = appendValue(dst, t.val(m), depth+1); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}
