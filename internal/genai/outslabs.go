package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// outSlabs hands out the small slices of the interactions one conversion
// returns (finish reasons, tool calls, their parameters, source spans,
// temperatures) from a few shared arrays instead of one allocation each.
// Every piece is capped at its length, so appending to one reallocates it
// rather than writing into its neighbour. The arrays belong to the result:
// they are made anew for each conversion, never pooled.
type outSlabs struct {
	strs   []string
	calls  []precogxapi.ToolCall
	bytes  []byte
	spans  []SpanRef
	floats []float64
}

// slabSize is the capacity of a new array: enough for a batch of typical
// interactions, small enough not to waste much on a batch of one.
const slabSize = 64

// strings copies a short list of strings into the slab.
func (o *outSlabs) strings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	if cap(o.strs)-len(o.strs) < len(s) {
		o.strs = make([]string, 0, max(slabSize, len(s)))
	}
	start := len(o.strs)
	o.strs = append(o.strs, s...)
	return o.strs[start:len(o.strs):len(o.strs)]
}

func (o *outSlabs) toolCalls(n int) []precogxapi.ToolCall {
	if cap(o.calls)-len(o.calls) < n {
		o.calls = make([]precogxapi.ToolCall, 0, max(slabSize, n))
	}
	start := len(o.calls)
	o.calls = o.calls[:start+n]
	return o.calls[start : start+n : start+n]
}

// params encodes tool arguments (see appendParams) into the byte slab.
func (o *outSlabs) params(v value) json.RawMessage {
	if cap(o.bytes)-len(o.bytes) < 256 {
		o.bytes = make([]byte, 0, slabSize*64)
	}
	start := len(o.bytes)
	b := appendParams(o.bytes, v)
	if cap(b) != cap(o.bytes) { // outgrew the slab: b is an array of its own
		return b[start:len(b):len(b)]
	}
	o.bytes = b
	return o.bytes[start:len(o.bytes):len(o.bytes)]
}

// refs copies a draft's source spans; total sizes the first array.
func (o *outSlabs) refs(f *few[SpanRef], total int) []SpanRef {
	if cap(o.spans)-len(o.spans) < f.n {
		o.spans = make([]SpanRef, 0, max(total, f.n))
	}
	start := len(o.spans)
	for i := range f.n {
		o.spans = append(o.spans, f.at(i))
	}
	return o.spans[start:len(o.spans):len(o.spans)]
}

func (o *outSlabs) float(f float64) *float64 {
	if len(o.floats) == cap(o.floats) {
		o.floats = make([]float64, 0, slabSize)
	}
	o.floats = append(o.floats, f)
	return &o.floats[len(o.floats)-1]
}
