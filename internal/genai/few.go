package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import "strings"

// few holds the parts of one message. Most messages have one text, call or
// result, which then needs no allocation.
type few[T any] struct {
	first T
	rest  []T
	n     int
}

func (f *few[T]) add(x T) {
	if f.n == 0 {
		f.first = x
	} else {
		f.rest = append(f.rest, x)
	}
	f.n++
}

func (f *few[T]) at(i int) T {
	if i == 0 {
		return f.first
	}
	return f.rest[i-1]
}

// joinTexts joins a message's texts with newlines.
func joinTexts(f *few[string]) string {
	var j joiner
	j.addAll(f)
	return j.String()
}

// joiner joins texts with newlines as strings.Join does, allocating only
// when there are two or more.
type joiner struct {
	first string
	b     strings.Builder
	n     int
}

func (j *joiner) add(s string) {
	switch j.n {
	case 0:
		j.first = s
	case 1:
		j.b.WriteString(j.first)
		fallthrough
	default:
		j.b.WriteByte('\n')
		j.b.WriteString(s)
	}
	j.n++
}

func (j *joiner) addAll(f *few[string]) {
	for i := range f.n {
		j.add(f.at(i))
	}
}

func (j *joiner) String() string {
	if j.n <= 1 {
		return j.first
	}
	return j.b.String()
}

// chunked hands out zeroed Ts from chunks that never grow, so pointers to
// them stay valid; the chunks are kept for the next conversion.
type chunked[T any] struct {
	chunks [][]T
	used   int // chunks in use; the last may have room
}

const chunkSize = 32

func (c *chunked[T]) next() *T {
	if c.used == 0 || len(c.chunks[c.used-1]) == chunkSize {
		if c.used == len(c.chunks) {
			c.chunks = append(c.chunks, make([]T, 0, chunkSize))
		}
		c.used++
	}
	chunk := &c.chunks[c.used-1]
	*chunk = append(*chunk, *new(T))
	return &(*chunk)[len(*chunk)-1]
}

// reset zeroes what was handed out (dropping its references) for reuse.
func (c *chunked[T]) reset() {
	for i := range c.used {
		clear(c.chunks[i])
		c.chunks[i] = c.chunks[i][:0]
	}
	c.used = 0
}
