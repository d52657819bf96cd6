package localserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKey is the key of the test servers unless a test configures others.
const testKey = "px_test_key_0001"

// harness is a Server mounted in an httptest.Server with a client of its own.
type harness struct {
	t      *testing.T
	srv    *Server
	base   string
	client *http.Client
}

// newHarness builds a Server from cfg, applies opts before it serves, and
// mounts it.
func newHarness(t *testing.T, cfg Config, opts ...func(*Server)) *harness {
	t.Helper()
	if len(cfg.Keys) == 0 {
		cfg.Keys = []KeyConfig{{Key: testKey, Name: "test"}}
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, o := range opts {
		o(srv)
	}
	h := &harness{t: t, srv: srv}
	h.mount(t)
	return h
}

// mount serves h.srv from an httptest.Server, closed with the test.
func (h *harness) mount(t *testing.T) {
	srv := h.srv
	ts := httptest.NewServer(srv.Handler())
	transport := &http.Transport{}
	h.base, h.client = ts.URL, &http.Client{Transport: transport, Timeout: 10 * time.Second}
	t.Cleanup(func() {
		// Close first: it wakes requests held by faults, which ts.Close
		// would otherwise wait for.
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		transport.CloseIdleConnections()
		ts.Close()
	})
}

// answer is a received HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the given raw body and headers; a nil headers map
// means JSON with the test key.
func (h *harness) do(method, path string, body []byte, headers map[string]string) (answer, error) {
	req, err := http.NewRequest(method, h.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if headers == nil {
		headers = map[string]string{"Content-Type": "application/json", precogxapi.HeaderAPIKey: testKey}
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: data}, err
}

// post sends v as JSON with the test key and fails the test on a transport
// error.
func (h *harness) post(path string, v any) answer {
	h.t.Helper()
	a, err := h.do(http.MethodPost, path, mustJSON(h.t, v), nil)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	return a
}

func (h *harness) ingest(v any) answer {
	h.t.Helper()
	return h.post(precogxapi.PathIngest, v)
}

func (h *harness) batch(ixs ...precogxapi.Interaction) answer {
	h.t.Helper()
	return h.post(precogxapi.PathBatch, precogxapi.BatchRequest{Interactions: ixs})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	if raw, ok := v.([]byte); ok {
		return raw
	}
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// interaction is a clean interaction of agent with a stable id.
func interaction(agent, id string) precogxapi.Interaction {
	return precogxapi.Interaction{
		AgentID:  agent,
		Prompt:   "What is the weather in Paris?",
		Response: "Sunny, 21 degrees.",
		Metadata: precogxapi.Metadata{InteractionID: id, Platform: "opentelemetry"},
	}
}

func wantStatus(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d, want %d; body %s", a.status, status, a.body)
	}
}

func decodeVerdict(t *testing.T, a answer) precogxapi.Verdict {
	t.Helper()
	wantStatus(t, a, http.StatusOK)
	var v precogxapi.Verdict
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("verdict %s: %v", a.body, err)
	}
	return v
}

// withClock makes srv read c, and restarts the fault windows at c's time.
func withClock(c *fakeClock) func(*Server) {
	return func(srv *Server) {
		srv.now = c.Now
		srv.faults.Store(&faultState{Faults: srv.Faults(), since: c.Now()})
	}
}

// fakeClock is a settable clock for the windows and the rate limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
