package localserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// decoded is one valid interaction of a request, with its bytes as sent.
type decoded struct {
	ix  precogxapi.Interaction
	raw json.RawMessage
}

// readBody reads at most limit bytes of the body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *refusal) {
	if r.ContentLength > limit {
		return nil, &refuseTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &refuseTooLarge
		}
		ref := refuseBadRequest("could not read the request body")
		return nil, &ref
	}
	return body, nil
}

// checkEncoding refuses bodies the API would not parse as JSON. Like
// FastAPI, a missing Content-Type is read as JSON, a non-JSON one is a 422;
// a compressed body is not decompressed, hence a 400.
func checkEncoding(h http.Header) *refusal {
	if enc := h.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		ref := refuseBadRequest(fmt.Sprintf("Content-Encoding %q is not supported: send uncompressed JSON", enc))
		return &ref
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	ref := refuseUnprocessable([]issue{{
		Loc:  []any{"body"},
		Msg:  "Input should be a valid dictionary or object to extract fields from (Content-Type " + ct + ")",
		Type: "model_attributes_type",
	}})
	return &ref
}

// decodeSingle decodes the body of the single ingest path.
func decodeSingle(body []byte) ([]decoded, *refusal) {
	var w wireInteraction
	if ref := unmarshalObject(body, &w); ref != nil {
		return nil, ref
	}
	d, missing, issues := w.decode(body, []any{"body"})
	if ref := verdictOnSchema(missing, issues); ref != nil {
		return nil, ref
	}
	return []decoded{d}, nil
}

// decodeBatch decodes {"interactions": [...]}. One invalid interaction
// refuses the whole batch, missing fields (400) before mistyped ones (422).
func decodeBatch(body []byte) ([]decoded, *refusal) {
	var batch struct {
		Interactions json.RawMessage `json:"interactions"`
	}
	if ref := unmarshalObject(body, &batch); ref != nil {
		return nil, ref
	}
	var elems []json.RawMessage
	switch kindOf(batch.Interactions) {
	case 0, 'n':
		ref := refuseBadRequest("Field required: interactions")
		return nil, &ref
	case 'a':
		_ = json.Unmarshal(batch.Interactions, &elems) // a valid array decodes
	default:
		ref := refuseUnprocessable([]issue{{Loc: []any{"body", "interactions"}, Msg: "Input should be a valid list", Type: "list_type"}})
		return nil, &ref
	}
	if len(elems) == 0 {
		ref := refuseBadRequest("interactions must not be empty")
		return nil, &ref
	}
	out := make([]decoded, 0, len(elems))
	var missing []string
	var issues []issue
	for i, e := range elems {
		loc := []any{"body", "interactions", i}
		var w wireInteraction
		if kindOf(e) != 'o' {
			issues = append(issues, issue{Loc: loc, Msg: "Input should be a valid dictionary", Type: "dict_type"})
			continue
		}
		_ = json.Unmarshal(e, &w) // an object decodes into raw fields
		d, m, is := w.decode(e, loc)
		for _, msg := range m {
			missing = append(missing, fmt.Sprintf("interactions[%d]: %s", i, msg))
		}
		issues = append(issues, is...)
		out = append(out, d)
	}
	if ref := verdictOnSchema(missing, issues); ref != nil {
		return nil, ref
	}
	return out, nil
}

// verdictOnSchema refuses with 400 when fields are missing, else with 422
// when some are mistyped.
func verdictOnSchema(missing []string, issues []issue) *refusal {
	var ref refusal
	switch {
	case len(missing) > 0:
		ref = refuseBadRequest(strings.Join(missing, "; "))
	case len(issues) > 0:
		ref = refuseUnprocessable(issues)
	default:
		return nil
	}
	return &ref
}

// unmarshalObject decodes body into v, refusing anything but one JSON
// object.
func unmarshalObject(body []byte, v any) *refusal {
	err := json.Unmarshal(body, v)
	var ref refusal
	switch {
	case err == nil && kindOf(body) == 'o':
		return nil
	case err == nil, isTypeError(err):
		ref = refuseBadRequest("request body must be a JSON object")
	default:
		ref = refuseBadRequest("JSON decode error: " + err.Error())
	}
	return &ref
}

func isTypeError(err error) bool {
	_, ok := errors.AsType[*json.UnmarshalTypeError](err)
	return ok
}

// wireInteraction splits an interaction into its documented fields, each
// checked before it is decoded; other fields are ignored, as the API does.
type wireInteraction struct {
	AgentID        json.RawMessage `json:"agent_id"`
	Prompt         json.RawMessage `json:"prompt"`
	Response       json.RawMessage `json:"response"`
	ToolCalls      json.RawMessage `json:"tool_calls"`
	ChainOfThought json.RawMessage `json:"chain_of_thought"`
	Metadata       json.RawMessage `json:"metadata"`
}

// decode checks w against the documented schema and decodes it. missing
// lists absent required fields (a 400); issues lists mistyped fields (a
// 422), located from loc.
func (w wireInteraction) decode(raw json.RawMessage, loc []any) (d decoded, missing []string, issues []issue) {
	at := func(path ...any) []any { return append(append([]any{}, loc...), path...) }
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"agent_id", w.AgentID, &d.ix.AgentID}, {"prompt", w.Prompt, &d.ix.Prompt}, {"response", w.Response, &d.ix.Response}} {
		switch kindOf(f.raw) {
		case 0, 'n':
			missing = append(missing, "Field required: "+f.name)
		case 's':
			_ = json.Unmarshal(f.raw, f.dst) // a valid string decodes
		default:
			issues = append(issues, issue{Loc: at(f.name), Msg: "Input should be a valid string", Type: "string_type"})
		}
	}
	if kindOf(w.AgentID) == 's' && d.ix.AgentID == "" {
		missing = append(missing, "agent_id must not be empty")
	}
	switch kindOf(w.ChainOfThought) {
	case 0, 'n':
	case 's':
		_ = json.Unmarshal(w.ChainOfThought, &d.ix.ChainOfThought)
	default:
		issues = append(issues, issue{Loc: at("chain_of_thought"), Msg: "Input should be a valid string", Type: "string_type"})
	}
	switch kindOf(w.Metadata) {
	case 0, 'n':
	case 'o':
		if err := json.Unmarshal(w.Metadata, &d.ix.Metadata); err != nil {
			issues = append(issues, typeIssue(err, at("metadata")))
		}
	default:
		issues = append(issues, issue{Loc: at("metadata"), Msg: "Input should be a valid dictionary", Type: "dict_type"})
	}
	var toolIssues []issue
	d.ix.ToolCalls, toolIssues = decodeToolCalls(w.ToolCalls, at("tool_calls"))
	issues = append(issues, toolIssues...)
	d.raw = raw
	return d, missing, issues
}

// decodeToolCalls decodes tool_calls: a list of {tool_name: string,
// parameters: object, result: string}; parameters and result may be absent.
func decodeToolCalls(raw json.RawMessage, loc []any) ([]precogxapi.ToolCall, []issue) {
	var elems []json.RawMessage
	switch kindOf(raw) {
	case 0, 'n':
		return nil, nil
	case 'a':
		_ = json.Unmarshal(raw, &elems) // a valid array decodes
	default:
		return nil, []issue{{Loc: loc, Msg: "Input should be a valid list", Type: "list_type"}}
	}
	calls := make([]precogxapi.ToolCall, 0, len(elems))
	var issues []issue
	for i, e := range elems {
		at := func(name ...any) []any { return append(append(append([]any{}, loc...), i), name...) }
		var w struct {
			ToolName   json.RawMessage `json:"tool_name"`
			Parameters json.RawMessage `json:"parameters"`
			Result     json.RawMessage `json:"result"`
		}
		if kindOf(e) != 'o' {
			issues = append(issues, issue{Loc: at(), Msg: "Input should be a valid dictionary", Type: "dict_type"})
			continue
		}
		_ = json.Unmarshal(e, &w) // an object decodes into raw fields
		var call precogxapi.ToolCall
		switch kindOf(w.ToolName) {
		case 's':
			_ = json.Unmarshal(w.ToolName, &call.ToolName)
		case 0, 'n':
			issues = append(issues, issue{Loc: at("tool_name"), Msg: "Field required", Type: "missing"})
		default:
			issues = append(issues, issue{Loc: at("tool_name"), Msg: "Input should be a valid string", Type: "string_type"})
		}
		// parameters is always an object when present: null is refused too.
		switch kindOf(w.Parameters) {
		case 0:
		case 'o':
			call.Parameters = w.Parameters
		default:
			issues = append(issues, issue{Loc: at("parameters"), Msg: "Input should be a valid dictionary", Type: "dict_type"})
		}
		switch kindOf(w.Result) {
		case 0, 'n':
		case 's':
			_ = json.Unmarshal(w.Result, &call.Result)
		default:
			issues = append(issues, issue{Loc: at("result"), Msg: "Input should be a valid string", Type: "string_type"})
		}
		calls = append(calls, call)
	}
	return calls, issues
}

// typeIssue turns a decoding error of a structurally valid interaction
// (a mistyped metadata key, mostly) into an issue.
func typeIssue(err error, loc []any) issue {
	te, ok := errors.AsType[*json.UnmarshalTypeError](err)
	if !ok {
		return issue{Loc: loc, Msg: err.Error(), Type: "value_error"}
	}
	path := append([]any{}, loc...)
	if te.Field != "" {
		for _, p := range strings.Split(te.Field, ".") {
			path = append(path, p)
		}
	}
	return issue{Loc: path, Msg: "Input should be a valid " + jsonTypeName(te.Type), Type: jsonTypeName(te.Type) + "_type"}
}

func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "float"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	default:
		return "dict"
	}
}

// kindOf is the JSON kind of raw by its first byte: 'o'bject, 'a'rray,
// 's'tring, 'n'ull, 't'rue/'f'alse, 'd'igit (number), or 0 when absent.
func kindOf(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '{':
		return 'o'
	case '[':
		return 'a'
	case '"':
		return 's'
	case 'n', 't', 'f':
		return c
	default:
		return 'd'
	}
}
