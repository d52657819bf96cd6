// Package jsonw writes JSON by hand where encoding/json's reflection costs too
// much: the exporter's request bodies and genai's compact JSON of values. One
// string encoder serves both, byte for byte what encoding/json writes with
// SetEscapeHTML(false).
package jsonw // import "github.com/precogxai/precogx-otel/internal/jsonw"

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// load64 reads eight bytes as a little-endian word (one load once the
// compiler has seen the length).
func load64(s string) uint64 {
	s = s[:8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	hexDigits = "0123456789abcdef"
	lsb       = 0x0101010101010101
	msb       = 0x8080808080808080
)

// AppendString appends s as a JSON string the way encoding/json does
// without HTML escaping: quote, backslash and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	// In valid UTF-8 (what callers mostly hand over) the only multi-byte
	// sequences to escape start with 0xE2; the bytes of other characters
	// are copied in bulk with the ASCII around them.
	high := uint64(msb)
	if utf8.ValidString(s) {
		high = 0
	}
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) {
			w := load64(s[i : i+8])
			q, bs, e2 := w^(lsb*'"'), w^(lsb*'\\'), w^(lsb*0xE2)
			if ((q-lsb)&^q|(bs-lsb)&^bs|(e2-lsb)&^e2|(w-lsb*' ')&^w|w&high)&msb != 0 {
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			if high == 0 && c != 0xE2 {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				start = i + size
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
				start = i + size
			}
			i += size
			continue
		}
		if c >= ' ' && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendFloat appends f as encoding/json writes a float64; false for NaN and
// infinities, which JSON cannot hold.
func AppendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 -> e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}
