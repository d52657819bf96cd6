package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"bytes"
	"encoding/json"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// The batch body is {"interactions":[<i1>,<i2>,...]}.
const (
	batchPrefix   = `{"interactions":[`
	batchSuffix   = `]}`
	batchOverhead = len(batchPrefix) + len(batchSuffix)
)

// encodedInteractions holds one agent's interactions, each encoded to JSON
// once, back to back in one buffer: requests are cut from it by size, and a
// request split after a 413 or resent one by one needs no new encoding.
type encodedInteractions struct {
	buf  []byte
	ends []int // interaction i is buf[ends[i-1]:ends[i]], empty when unencodable
}

// encodeInteractions encodes list and returns the indices it could not encode.
func encodeInteractions(list []precogxapi.Interaction) (*encodedInteractions, []int) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Prompts are not HTML: keep <, > and & as they are, and short.
	enc.SetEscapeHTML(false)
	ends := make([]int, len(list))
	var unencodable []int
	for i := range list {
		if err := enc.Encode(&list[i]); err != nil {
			// Encode writes nothing on error.
			unencodable = append(unencodable, i)
		} else {
			buf.Truncate(buf.Len() - 1) // the newline Encode appends
		}
		ends[i] = buf.Len()
	}
	return &encodedInteractions{buf: buf.Bytes(), ends: ends}, unencodable
}

// json returns the encoding of interaction i.
func (ei *encodedInteractions) json(i int) []byte {
	start := 0
	if i > 0 {
		start = ei.ends[i-1]
	}
	return ei.buf[start:ei.ends[i]]
}

// pack groups the encoded interactions into requests of at most maxCount
// interactions and maxBytes of batch body. An interaction whose batch body
// alone exceeds maxBytes cannot be sent and is returned in tooLarge.
func (ei *encodedInteractions) pack(maxCount, maxBytes int) (requests [][]int, tooLarge []int) {
	var cur []int
	size := batchOverhead
	for i := range ei.ends {
		n := len(ei.json(i))
		switch {
		case n == 0: // unencodable
			continue
		case batchOverhead+n > maxBytes:
			tooLarge = append(tooLarge, i)
			continue
		}
		if len(cur) > 0 {
			n++ // the comma before it
		}
		if len(cur) == maxCount || size+n > maxBytes {
			requests = append(requests, cur)
			cur, size, n = nil, batchOverhead, len(ei.json(i))
		}
		cur = append(cur, i)
		size += n
	}
	if len(cur) > 0 {
		requests = append(requests, cur)
	}
	return requests, tooLarge
}

// batchBody returns the batch endpoint body for the interactions idx.
func (ei *encodedInteractions) batchBody(idx []int) []byte {
	size := batchOverhead + len(idx) - 1
	for _, i := range idx {
		size += len(ei.json(i))
	}
	body := make([]byte, 0, size)
	body = append(body, batchPrefix...)
	for k, i := range idx {
		if k > 0 {
			body = append(body, ',')
		}
		body = append(body, ei.json(i)...)
	}
	return append(body, batchSuffix...)
}
