package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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
		return appendFloat(dst, math.Float64frombits(v.node().num))
	case vString:
		return appendJSONString(dst, v.str()), true
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
		dst = appendJSONString(dst, t.nodes[m].key)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = appendValue(dst, t.val(m), depth+1); !ok {
			return dst, false
		}
	}
	return append(dst, '}'), true
}

// appendFloat formats f as encoding/json does; false for NaN and infinities.
func appendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' { // e-09 -> e-9
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string the way encoding/json does
// without HTML escaping: quote, backslash and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start, i := 0, 0
	for i < len(s) {
		// Skip eight plain ASCII bytes at a time.
		for i+8 <= len(s) {
			w := load64(s, i)
			q, bs := w^quote, w^bslsh
			if (q-lsb)&^q&msb|(bs-lsb)&^bs&msb|(w-space)&^w&msb|w&msb != 0 {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				start = i + size
			case r == '\u2028' || r == '\u2029':
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
				start = i + size
			}
			i += size
			continue
		}
		if c >= ' ' && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
