package localserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestValidation(t *testing.T) {
	valid := `{"agent_id":"a","prompt":"p","response":"r"}`
	tests := []struct {
		name        string
		path        string
		body        string
		contentType string // "" sends application/json; "-" sends none
		encoding    string
		want        int
		wantBody    string // exact body, when set
	}{
		{name: "valid", body: valid, want: http.StatusOK},
		{name: "empty prompt and response", body: `{"agent_id":"a","prompt":"","response":""}`, want: http.StatusOK},
		{name: "all optional fields", want: http.StatusOK, body: `{"agent_id":"a","prompt":"p","response":"r","chain_of_thought":"c",
			"tool_calls":[{"tool_name":"t","parameters":{"x":1},"result":"ok"},{"tool_name":"u"}],
			"metadata":{"timestamp":"2026-12-04T10:00:00Z","tokens_used":12,"custom":{"k":[1,2]}},"unknown_top":1}`},
		{name: "nulls for optional fields", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":null,"metadata":null,"chain_of_thought":null}`, want: http.StatusOK},
		{name: "no content type is read as JSON", body: valid, contentType: "-", want: http.StatusOK},
		{name: "json with charset", body: valid, contentType: "application/json; charset=utf-8", want: http.StatusOK},

		{name: "bad JSON", body: `{"agent_id":`, want: http.StatusBadRequest},
		{name: "trailing garbage", body: valid + "x", want: http.StatusBadRequest},
		{name: "empty body", body: ``, want: http.StatusBadRequest},
		{name: "array body", body: `[` + valid + `]`, want: http.StatusBadRequest},
		{name: "null body", body: `null`, want: http.StatusBadRequest},
		{
			name: "missing fields", body: `{"agent_id":"a"}`, want: http.StatusBadRequest,
			wantBody: `{"detail":"Field required: prompt; Field required: response"}`,
		},
		{name: "null required field", body: `{"agent_id":"a","prompt":null,"response":"r"}`, want: http.StatusBadRequest},
		{name: "empty agent_id", body: `{"agent_id":"","prompt":"p","response":"r"}`, want: http.StatusBadRequest},
		{name: "gzip body", body: valid, encoding: "gzip", want: http.StatusBadRequest},

		{
			name: "tool_calls not an array", want: http.StatusUnprocessableEntity,
			body:     `{"agent_id":"a","prompt":"p","response":"r","tool_calls":{"tool_name":"t"}}`,
			wantBody: `{"detail":[{"loc":["body","tool_calls"],"msg":"Input should be a valid list","type":"list_type"}]}`,
		},
		{
			name: "parameters not an object", want: http.StatusUnprocessableEntity,
			body:     `{"agent_id":"a","prompt":"p","response":"r","tool_calls":[{"tool_name":"t","parameters":"rm -rf /"}]}`,
			wantBody: `{"detail":[{"loc":["body","tool_calls",0,"parameters"],"msg":"Input should be a valid dictionary","type":"dict_type"}]}`,
		},
		{name: "parameters null", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":[{"tool_name":"t","parameters":null}]}`, want: http.StatusUnprocessableEntity},
		{name: "tool call not an object", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":["t"]}`, want: http.StatusUnprocessableEntity},
		{name: "tool_name missing", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":[{"parameters":{}}]}`, want: http.StatusUnprocessableEntity},
		{name: "tool_name not a string", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":[{"tool_name":1}]}`, want: http.StatusUnprocessableEntity},
		{name: "result not a string", body: `{"agent_id":"a","prompt":"p","response":"r","tool_calls":[{"tool_name":"t","result":{"x":1}}]}`, want: http.StatusUnprocessableEntity},
		{name: "metadata not an object", body: `{"agent_id":"a","prompt":"p","response":"r","metadata":"m"}`, want: http.StatusUnprocessableEntity},
		{
			name: "mistyped metadata key", want: http.StatusUnprocessableEntity,
			body:     `{"agent_id":"a","prompt":"p","response":"r","metadata":{"tokens_used":"12"}}`,
			wantBody: `{"detail":[{"loc":["body","metadata","tokens_used"],"msg":"Input should be a valid int","type":"int_type"}]}`,
		},
		{name: "agent_id not a string", body: `{"agent_id":7,"prompt":"p","response":"r"}`, want: http.StatusUnprocessableEntity},
		{name: "chain_of_thought not a string", body: `{"agent_id":"a","prompt":"p","response":"r","chain_of_thought":[]}`, want: http.StatusUnprocessableEntity},
		{name: "text/plain content type", body: valid, contentType: "text/plain", want: http.StatusUnprocessableEntity},

		{name: "batch valid", path: precogxapi.PathBatch, body: `{"interactions":[` + valid + `,` + valid + `]}`, want: http.StatusOK},
		{name: "batch missing interactions", path: precogxapi.PathBatch, body: `{}`, want: http.StatusBadRequest},
		{name: "batch empty", path: precogxapi.PathBatch, body: `{"interactions":[]}`, want: http.StatusBadRequest},
		{name: "batch interactions not a list", path: precogxapi.PathBatch, body: `{"interactions":{}}`, want: http.StatusUnprocessableEntity},
		{
			name: "batch element missing a field", path: precogxapi.PathBatch, want: http.StatusBadRequest,
			body:     `{"interactions":[` + valid + `,{"agent_id":"a","prompt":"p"}]}`,
			wantBody: `{"detail":"interactions[1]: Field required: response"}`,
		},
		{
			name: "batch element mistyped", path: precogxapi.PathBatch, want: http.StatusUnprocessableEntity,
			body:     `{"interactions":[` + valid + `,{"agent_id":"a","prompt":"p","response":"r","metadata":[]}]}`,
			wantBody: `{"detail":[{"loc":["body","interactions",1,"metadata"],"msg":"Input should be a valid dictionary","type":"dict_type"}]}`,
		},
		{name: "batch element not an object", path: precogxapi.PathBatch, body: `{"interactions":[1]}`, want: http.StatusUnprocessableEntity},
	}
	h := newHarness(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{precogxapi.HeaderAPIKey: testKey, "Content-Type": "application/json"}
			switch tt.contentType {
			case "":
			case "-":
				delete(headers, "Content-Type")
			default:
				headers["Content-Type"] = tt.contentType
			}
			if tt.encoding != "" {
				headers["Content-Encoding"] = tt.encoding
			}
			path := tt.path
			if path == "" {
				path = precogxapi.PathIngest
			}
			a, err := h.do(http.MethodPost, path, []byte(tt.body), headers)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, a, tt.want)
			if tt.wantBody != "" && strings.TrimSpace(string(a.body)) != tt.wantBody {
				t.Errorf("body = %s, want %s", a.body, tt.wantBody)
			}
			if tt.want != http.StatusOK && !json.Valid(a.body) {
				t.Errorf("error body is not JSON: %s", a.body)
			}
		})
	}
	st := h.srv.Stats().Totals
	if st.RejectedRequests[ReasonBadRequest] != 12 || st.RejectedRequests[ReasonUnprocessable] != 15 {
		t.Errorf("rejected = %v, want 12 bad_request and 15 unprocessable", st.RejectedRequests)
	}
	if st.RejectedInteractions[ReasonBadRequest] != 0 {
		t.Errorf("undecoded bodies counted against agents: %v", st.RejectedInteractions)
	}
}

func TestValidationErrorShape(t *testing.T) {
	h := newHarness(t, Config{ErrorShape: ShapeError})
	a := h.ingest(`{"agent_id":"a","prompt":"p","response":"r","tool_calls":"x","metadata":1}`)
	wantStatus(t, a, http.StatusUnprocessableEntity)
	want := `{"error":{"code":"VALIDATION_ERROR","message":"body.metadata: Input should be a valid dictionary; body.tool_calls: Input should be a valid list"}}`
	if got := strings.TrimSpace(string(a.body)); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestBodyTooLarge(t *testing.T) {
	h := newHarness(t, Config{MaxBodyBytes: 256})
	small := `{"agent_id":"a","prompt":"p","response":"r"}`
	wantStatus(t, h.ingest(small), http.StatusOK)
	big := `{"agent_id":"a","prompt":"` + strings.Repeat("x", 300) + `","response":"r"}`
	a := h.ingest(big)
	wantStatus(t, a, http.StatusRequestEntityTooLarge)
	if strings.TrimSpace(string(a.body)) != `{"detail":"Request body too large"}` {
		t.Errorf("413 body = %s", a.body)
	}
	// Without Content-Length the limit still holds while reading.
	a2, err := h.do(http.MethodPost, precogxapi.PathIngest, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, a2, http.StatusBadRequest)
	req, _ := http.NewRequest(http.MethodPost, h.base+precogxapi.PathIngest, struct{ *strings.Reader }{strings.NewReader(big)})
	req.Header.Set(precogxapi.HeaderAPIKey, testKey)
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.ContentLength != 0 || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: content length %d, status %d", req.ContentLength, resp.StatusCode)
	}
	if got := h.srv.Stats().Totals.RejectedRequests[ReasonTooLarge]; got != 2 {
		t.Errorf("too_large = %d, want 2", got)
	}
}
