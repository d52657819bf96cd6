package localserver

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// originsHarness serves a Server through Origins booking by X-Gateway.
type originsHarness struct {
	srv     *Server
	origins *Origins
	base    string
	client  *http.Client
}

func newOriginsHarness(t *testing.T, cfg Config) *originsHarness {
	t.Helper()
	srv, err := New(cfg)
	require.NoError(t, err)
	o := NewOrigins(srv, "X-Gateway")
	ts := httptest.NewServer(o)
	transport := &http.Transport{}
	t.Cleanup(func() {
		assert.NoError(t, srv.Close())
		transport.CloseIdleConnections()
		ts.Close()
	})
	return &originsHarness{srv: srv, origins: o, base: ts.URL, client: &http.Client{Transport: transport, Timeout: 10 * time.Second}}
}

// post sends body to path as gateway ("" sends no X-Gateway) and returns
// the status.
func (h *originsHarness) post(t *testing.T, gateway, path string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.base+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(precogxapi.HeaderAPIKey, testKey)
	if gateway != "" {
		req.Header.Set("X-Gateway", gateway)
	}
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestOriginsBookAnswersPerHeader(t *testing.T) {
	h := newOriginsHarness(t, Config{Keys: []KeyConfig{{Key: testKey, Name: "test", Plan: Plan{Name: "custom", MaxAgents: 2}}}})
	batch := func(ixs ...precogxapi.Interaction) []byte {
		return mustJSON(t, precogxapi.BatchRequest{Interactions: ixs})
	}

	require.Equal(t, http.StatusOK, h.post(t, "gw1", precogxapi.PathIngest, mustJSON(t, interaction("a", "1"))))
	require.Equal(t, http.StatusOK, h.post(t, "gw2", precogxapi.PathBatch, batch(interaction("b", "2"), interaction("b", "3"))))
	// The plan admits two agents: c is refused, on the gateway that sent it.
	require.Equal(t, http.StatusForbidden, h.post(t, "gw1", precogxapi.PathBatch, batch(interaction("c", "4"), interaction("c", "5"))))
	// A duplicate is answered 200 and booked as delivered; Stats tells it apart.
	require.Equal(t, http.StatusOK, h.post(t, "gw1", precogxapi.PathIngest, mustJSON(t, interaction("a", "1"))))
	require.Equal(t, http.StatusOK, h.post(t, "", precogxapi.PathIngest, mustJSON(t, interaction("a", "6"))))
	// A body the Server cannot read counts as a request without agents.
	require.Equal(t, http.StatusBadRequest, h.post(t, "gw2", precogxapi.PathIngest, []byte("{")))

	got := h.origins.Snapshot()
	assert.Equal(t, map[string]OriginStats{
		"gw1": {Requests: 3, Agents: map[string]OriginAgentStats{
			"a": {Delivered: 2},
			"c": {Refused: map[int]int64{http.StatusForbidden: 2}},
		}},
		"gw2": {Requests: 2, Agents: map[string]OriginAgentStats{"b": {Delivered: 2}}},
		"":    {Requests: 1, Agents: map[string]OriginAgentStats{"a": {Delivered: 1}}},
	}, got)
	st := h.srv.Stats()
	assert.Equal(t, int64(1), st.Totals.Duplicates)
	assert.Equal(t, int64(4), st.Totals.Accepted)
}

func TestOriginsPassOtherPathsThrough(t *testing.T) {
	h := newOriginsHarness(t, Config{Keys: []KeyConfig{{Key: testKey, Name: "test"}}})
	resp, err := h.client.Get(h.base + "/stats")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `"totals"`)
	assert.Equal(t, http.StatusNotFound, h.post(t, "gw1", "/api/v1/unknown", []byte("{}")))
	assert.Empty(t, h.origins.Snapshot())
}

func TestOriginsForwardBodiesPastTheBound(t *testing.T) {
	h := newOriginsHarness(t, Config{Keys: []KeyConfig{{Key: testKey, Name: "test"}}, MaxBodyBytes: 512})
	ix := interaction("a", "1")
	ix.Prompt = strings.Repeat("x", 1024)
	// The Server sees the whole body and refuses it as too large; the
	// booking does not guess its agents.
	assert.Equal(t, http.StatusRequestEntityTooLarge, h.post(t, "gw1", precogxapi.PathIngest, mustJSON(t, ix)))
	assert.Equal(t, map[string]OriginStats{"gw1": {Requests: 1, Agents: map[string]OriginAgentStats{}}}, h.origins.Snapshot())
}

func TestOriginsBookNothingAnsweredOnADroppedConnection(t *testing.T) {
	h := newOriginsHarness(t, Config{Keys: []KeyConfig{{Key: testKey, Name: "test"}}, Faults: Faults{DropConnRate: 1}})
	req, err := http.NewRequest(http.MethodPost, h.base+precogxapi.PathIngest, bytes.NewReader(mustJSON(t, interaction("a", "1"))))
	require.NoError(t, err)
	req.Header.Set("X-Gateway", "gw1")
	_, err = h.client.Do(req)
	require.Error(t, err, "the connection should have been dropped")
	assert.Equal(t, map[string]OriginStats{"gw1": {Requests: 1, Agents: map[string]OriginAgentStats{}}}, h.origins.Snapshot())
	assert.Equal(t, int64(1), h.srv.Stats().Totals.RequestsByStatus[StatusDropped])
}
