package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON reader of the conversion. It accepts exactly what encoding/json
// accepts and decodes strings exactly as it does (invalid UTF-8 and lone
// surrogates become U+FFFD), but it builds tree nodes instead of maps and
// interfaces, and leaves strings in the text they come from until they are
// read: most of a message list (tool definitions, request envelopes) is
// never read.

// parseJSON parses s as exactly one JSON value, surrounding whitespace
// allowed. On failure the tree is left as it was.
func (t *tree) parseJSON(s string) (value, bool) {
	mark := len(t.nodes)
	p := jsonParser{t: t, s: s}
	p.skipSpace()
	i, ok := p.value()
	if ok {
		p.skipSpace()
		ok = p.pos == len(s)
	}
	if !ok {
		t.nodes = t.nodes[:mark]
		return value{}, false
	}
	return t.val(i), true
}

type jsonParser struct {
	t     *tree
	s     string
	pos   int
	depth int
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (int32, bool) {
	if p.pos >= len(p.s) {
		return -1, false
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.container(vObject, '}')
	case c == '[':
		return p.container(vArray, ']')
	case c == '"':
		s, raw, ok := p.str()
		if !ok {
			return -1, false
		}
		return p.t.add(node{kind: vString, s: s, raw: raw}), true
	case c == 't':
		return p.literal("true", node{kind: vBool, num: 1})
	case c == 'f':
		return p.literal("false", node{kind: vBool})
	case c == 'n':
		return p.literal("null", node{kind: vNull})
	case c == '-' || isDigit(c):
		return p.number()
	}
	return -1, false
}

func (p *jsonParser) literal(word string, n node) (int32, bool) {
	if !strings.HasPrefix(p.s[p.pos:], word) {
		return -1, false
	}
	p.pos += len(word)
	return p.t.add(n), true
}

// container reads an array or an object.
func (p *jsonParser) container(kind vkind, end byte) (int32, bool) {
	if p.depth++; p.depth > maxDepth {
		return -1, false
	}
	idx := p.t.add(node{kind: kind})
	p.pos++
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == end {
		p.pos++
		p.depth--
		return idx, true
	}
	var b childLinker
	for {
		var key string
		if kind == vObject {
			if p.pos >= len(p.s) || p.s[p.pos] != '"' {
				return -1, false
			}
			k, raw, ok := p.str()
			if !ok {
				return -1, false
			}
			if raw {
				k = unquote(k)
			}
			key = k
			p.skipSpace()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				return -1, false
			}
			p.pos++
			p.skipSpace()
		}
		c, ok := p.value()
		if !ok {
			return -1, false
		}
		p.t.nodes[c].key = key
		if kind == vObject {
			b.linkMember(p.t, idx, c)
		} else {
			b.link(p.t, idx, c)
		}
		p.skipSpace()
		if p.pos >= len(p.s) {
			return -1, false
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case end:
			p.pos++
			p.depth--
			return idx, true
		default:
			return -1, false
		}
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads a number by the JSON grammar and keeps its text.
func (p *jsonParser) number() (int32, bool) {
	s, i := p.s, p.pos
	digits := func() bool {
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		return i > start
	}
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return -1, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return -1, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return -1, false
		}
	}
	n := p.t.add(node{kind: vNumber, s: s[p.pos:i]})
	p.pos = i
	return n, true
}

// Constants of the word-at-a-time scans (SWAR: a byte of a word is flagged
// when subtracting borrows into its high bit).
const (
	lsb   = 0x0101010101010101
	msb   = 0x8080808080808080
	quote = '"' * lsb
	bslsh = '\\' * lsb
	space = ' ' * lsb
)

// str reads a string and returns its content as it is in the text; raw
// is set when it needs unquote (escapes, or bytes beyond ASCII, which may
// be invalid UTF-8). The closing quote is found with strings.IndexByte;
// the text before it is checked for escapes and control characters a word
// at a time.
func (p *jsonParser) str() (s string, raw, ok bool) {
	text := p.s
	start := p.pos + 1
	end := -1 // the first quote at or after i
	for i := start; ; {
		if end < i {
			j := strings.IndexByte(text[i:], '"')
			if j < 0 {
				return "", false, false
			}
			end = i + j
		}
		k, ctrl, high := scanPlain(text[i:end])
		if ctrl {
			return "", false, false
		}
		raw = raw || high
		if k < 0 {
			p.pos = end + 1
			return text[start:end], raw, true
		}
		e := i + k // a backslash
		if e+1 >= len(text) {
			return "", false, false
		}
		switch text[e+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = e + 2
		case 'u':
			if getu4(text[e:]) < 0 {
				return "", false, false
			}
			i = e + 6
		default:
			return "", false, false
		}
		raw = true
	}
}

// scanPlain returns the index of the first backslash of s (-1 if none),
// whether a control character comes before it, and whether a byte beyond
// ASCII does.
func scanPlain(s string) (backslash int, ctrl, high bool) {
	var seen uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		b := w ^ bslsh
		if ((b-lsb)&^b|(w-space)&^w)&msb != 0 {
			break
		}
		seen |= w
	}
	high = seen&msb != 0
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			return i, false, high
		case c < ' ':
			return -1, true, false
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	return -1, false, high
}

// load64 reads eight bytes of s as a little-endian word (the compiler
// turns this into one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote decodes the content of a valid JSON string as encoding/json
// does. Valid text without escapes is returned without copying.
func unquote(s string) string {
	valid := utf8.ValidString(s)
	if valid && strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '\\')
		if i < 0 {
			writeRepaired(&b, s, valid)
			return b.String()
		}
		writeRepaired(&b, s[:i], valid)
		s = s[i:]
		switch c := s[1]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := getu4(s)
			s = s[6:]
			if utf16.IsSurrogate(r) {
				if dec := utf16.DecodeRune(r, getu4(s)); dec != unicode.ReplacementChar {
					b.WriteRune(dec)
					s = s[6:]
					continue
				}
				r = unicode.ReplacementChar
			}
			b.WriteRune(r)
			continue
		default: // " \\ /
			b.WriteByte(c)
		}
		s = s[2:]
	}
}

// writeRepaired writes s with each byte of invalid UTF-8 replaced by
// U+FFFD, as encoding/json decodes it; valid says the whole string is
// valid (escapes are ASCII, so then every piece between them is).
func writeRepaired(b *strings.Builder, s string, valid bool) {
	if valid || utf8.ValidString(s) {
		b.WriteString(s)
		return
	}
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		b.WriteRune(r) // U+FFFD for an invalid byte
		s = s[size:]
	}
}
