package agentsim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// receiver is an OTLP/HTTP traces endpoint on 127.0.0.1 that decodes every
// request with pdata.
type receiver struct {
	*httptest.Server
	status int // answered to every request

	mu       sync.Mutex
	requests []ptrace.Traces
	headers  []http.Header
}

func newReceiver(t *testing.T, status int) *receiver {
	t.Helper()
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "unexpected request", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	er := ptraceotlp.NewExportRequest()
	if err := er.UnmarshalProto(body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.requests = append(r.requests, er.Traces())
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	if r.status != http.StatusOK {
		http.Error(w, "refused by test", r.status)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	resp, _ := ptraceotlp.NewExportResponse().MarshalProto()
	_, _ = w.Write(resp)
}

// spansByService counts received spans per resource service.name.
func (r *receiver) spansByService() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, td := range r.requests {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			name, _ := rs.Resource().Attributes().Get("service.name")
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				out[name.Str()] += rs.ScopeSpans().At(j).Spans().Len()
			}
		}
	}
	return out
}

func (r *receiver) received() []ptrace.Traces {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ptrace.Traces(nil), r.requests...)
}

func (r *receiver) allHeaders() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}
