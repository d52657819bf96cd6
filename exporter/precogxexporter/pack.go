package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/precogxai/precogx-otel/internal/jsonw"
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
// request split after a 413 or resent one by one needs no new encoding. The
// buffer is laid out as the batch body of all of them, so the usual request
// (every interaction of the agent) is sent without a copy.
type encodedInteractions struct {
	buf     []byte
	starts  []int // interaction i is buf[starts[i]:ends[i]], empty when unencodable
	ends    []int
	encoded int // interactions that could be encoded
}

// encodeInteractions encodes list and returns the indices it could not encode.
func encodeInteractions(list []precogxapi.Interaction) (*encodedInteractions, []int) {
	size := batchOverhead
	for i := range list {
		size += encodedSizeHint(&list[i])
	}
	ei := &encodedInteractions{buf: newBuffer(size), starts: make([]int, 2*len(list))}
	ei.starts, ei.ends = ei.starts[:len(list)], ei.starts[len(list):]
	ei.buf = append(ei.buf, batchPrefix...)
	var unencodable []int
	for i := range list {
		mark := len(ei.buf)
		if ei.encoded > 0 {
			ei.buf = append(ei.buf, ',')
		}
		start := len(ei.buf)
		var err error
		if ei.buf, err = appendInteraction(ei.buf, &list[i]); err != nil {
			unencodable = append(unencodable, i)
			ei.buf = ei.buf[:mark]
			start = mark
		} else {
			ei.encoded++
		}
		ei.starts[i], ei.ends[i] = start, len(ei.buf)
	}
	ei.buf = append(ei.buf, batchSuffix...)
	return ei, unencodable
}

// newBuffer returns an empty slice of capacity n whose memory is not
// zeroed first: bytes.Buffer allocates its storage that way, and the
// encoding overwrites all of it anyway.
func newBuffer(n int) []byte {
	var b bytes.Buffer
	b.Grow(n)
	return b.AvailableBuffer()
}

// json returns the encoding of interaction i.
func (ei *encodedInteractions) json(i int) []byte {
	return ei.buf[ei.starts[i]:ei.ends[i]]
}

// pack groups the encoded interactions into requests of at most maxCount
// interactions and maxBytes of batch body. An interaction whose batch body
// alone exceeds maxBytes cannot be sent and is returned in tooLarge.
func (ei *encodedInteractions) pack(maxCount, maxBytes int) (requests [][]int, tooLarge []int) {
	// The requests are consecutive pieces of one slice of indices.
	all := make([]int, 0, len(ei.ends))
	start := 0
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
		if len(all) > start {
			n++ // the comma before it
		}
		if len(all)-start == maxCount || size+n > maxBytes {
			requests = append(requests, all[start:len(all):len(all)])
			start, size, n = len(all), batchOverhead, len(ei.json(i))
		}
		all = append(all, i)
		size += n
	}
	if len(all) > start {
		requests = append(requests, all[start:len(all):len(all)])
	}
	return requests, tooLarge
}

// batchBody returns the batch endpoint body for the interactions idx.
func (ei *encodedInteractions) batchBody(idx []int) []byte {
	if len(idx) == ei.encoded {
		return ei.buf // all of them, laid out as one body
	}
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

// The JSON of an interaction is written by hand: encoding/json walks the
// struct by reflection and was most of the exporter's CPU time. The output
// is byte for byte what json.Encoder with SetEscapeHTML(false) writes for
// precogxapi.Interaction (field order, omitempty, string escaping, float
// format, compacted parameters), and so are its errors: an interaction
// encoding/json refuses (invalid parameters, a NaN temperature) is refused
// here too. pack_test.go checks both against encoding/json.

// encodedSizeHint estimates the JSON size of an interaction, to size the
// buffer once: every string, its key and quotes, and an eighth more for
// escapes.
func encodedSizeHint(in *precogxapi.Interaction) int {
	md := &in.Metadata
	n := 600 + len(in.AgentID) + len(in.Prompt) + len(in.Response) + len(in.ChainOfThought)
	for _, s := range [...]string{
		md.Timestamp, md.InteractionID, md.TraceID, md.SpanID, md.ParentSpanID, md.Kind, md.SpanName, md.Model,
		md.ModelProvider, md.SessionID, md.ConversationID, md.UserID, md.Environment, md.ServiceName,
		md.ServiceVersion, md.AgentName, md.Status, md.ErrorMessage, md.SystemPrompt, md.Convention, md.Platform,
	} {
		n += len(s)
	}
	for _, s := range md.FinishReasons {
		n += len(s) + 3
	}
	for _, s := range md.Truncated {
		n += len(s) + 3
	}
	for i := range in.ToolCalls {
		n += 48 + len(in.ToolCalls[i].ToolName) + len(in.ToolCalls[i].Parameters) + len(in.ToolCalls[i].Result)
	}
	return n + n/8
}

// appendInteraction appends the JSON of in; on error dst is returned as it was.
func appendInteraction(dst []byte, in *precogxapi.Interaction) ([]byte, error) {
	start := len(dst)
	b := append(dst, `{"agent_id":`...)
	b = jsonw.AppendString(b, in.AgentID)
	b = append(b, `,"prompt":`...)
	b = jsonw.AppendString(b, in.Prompt)
	b = append(b, `,"response":`...)
	b = jsonw.AppendString(b, in.Response)
	if len(in.ToolCalls) > 0 {
		b = append(b, `,"tool_calls":[`...)
		for i := range in.ToolCalls {
			tc := &in.ToolCalls[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"tool_name":`...)
			b = jsonw.AppendString(b, tc.ToolName)
			b = append(b, `,"parameters":`...)
			var err error
			if b, err = appendRaw(b, tc.Parameters); err != nil {
				return dst[:start], err
			}
			b = append(b, `,"result":`...)
			b = jsonw.AppendString(b, tc.Result)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if in.ChainOfThought != "" {
		b = append(b, `,"chain_of_thought":`...)
		b = jsonw.AppendString(b, in.ChainOfThought)
	}
	b = append(b, `,"metadata":`...)
	b, err := appendMetadata(b, &in.Metadata)
	if err != nil {
		return dst[:start], err
	}
	return append(b, '}'), nil
}

func appendMetadata(b []byte, md *precogxapi.Metadata) ([]byte, error) {
	b = append(b, '{')
	first := true
	key := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string) {
		if v != "" {
			key(name)
			b = jsonw.AppendString(b, v)
		}
	}
	num := func(name string, v int64) {
		if v != 0 {
			key(name)
			b = strconv.AppendInt(b, v, 10)
		}
	}
	list := func(name string, v []string) {
		if len(v) > 0 {
			key(name)
			b = append(b, '[')
			for i, s := range v {
				if i > 0 {
					b = append(b, ',')
				}
				b = jsonw.AppendString(b, s)
			}
			b = append(b, ']')
		}
	}
	str("timestamp", md.Timestamp)
	key("interaction_id")
	b = jsonw.AppendString(b, md.InteractionID)
	str("trace_id", md.TraceID)
	str("span_id", md.SpanID)
	str("parent_span_id", md.ParentSpanID)
	str("kind", md.Kind)
	str("span_name", md.SpanName)
	str("model", md.Model)
	str("model_provider", md.ModelProvider)
	num("input_tokens", md.InputTokens)
	num("output_tokens", md.OutputTokens)
	num("tokens_used", md.TokensUsed)
	num("response_time_ms", md.ResponseTimeMS)
	str("session_id", md.SessionID)
	str("conversation_id", md.ConversationID)
	str("user_id", md.UserID)
	str("environment", md.Environment)
	str("service_name", md.ServiceName)
	str("service_version", md.ServiceVersion)
	str("agent_name", md.AgentName)
	str("status", md.Status)
	str("error_message", md.ErrorMessage)
	list("finish_reasons", md.FinishReasons)
	if md.Temperature != nil {
		key("temperature")
		var err error
		if b, err = appendFloat(b, *md.Temperature); err != nil {
			return b, err
		}
	}
	num("max_tokens", md.MaxTokens)
	str("system_prompt", md.SystemPrompt)
	str("convention", md.Convention)
	str("platform", md.Platform)
	list("truncated", md.Truncated)
	return append(b, '}'), nil
}

// appendRaw writes a json.RawMessage as encoding/json does: null when nil,
// else compacted, and an error when it is not valid JSON.
func appendRaw(b, raw []byte) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return b, err
	}
	return buf.Bytes(), nil
}

// appendFloat formats f as encoding/json does; NaN and infinities are the
// same error encoding/json returns.
func appendFloat(b []byte, f float64) ([]byte, error) {
	out, ok := jsonw.AppendFloat(b, f)
	if !ok {
		return b, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	return out, nil
}
