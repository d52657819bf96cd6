package e2e

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// secretKey is the API key the security tests look for everywhere.
const secretKey = "px_live_e2eSecret_4f9b2c7d1e8a6b30"

var securityOverlay = filepath.Join("..", "testdata", "e2e-security.yaml")

// startSecurityCollector runs production.yaml with debug logs, detailed
// metrics and zpages (on a free port) against endpoint with key.
func startSecurityCollector(t *testing.T, endpoint, key string) (*prodCollector, string) {
	t.Helper()
	port, err := testbed.FreePort()
	require.NoError(t, err)
	col := newProdCollector(t, endpoint, key, []string{securityOverlay}, map[string]string{"ZPAGES_PORT": strconv.Itoa(port)})
	col.start()
	return col, "http://127.0.0.1:" + strconv.Itoa(port)
}

// TestAPIKeyNeverShown drives every answer path of the exporter (accepted,
// verdicts, agent limit, 429, 5xx, dropped connections, timeouts, 413, and
// 401 with a second server that does not know the key) with debug logging,
// detailed metrics and zpages on, and looks for the key in the collector's
// log, its metrics and every zpages page.
func TestAPIKeyNeverShown(t *testing.T) {
	server, url := startPrecogx(t, localserver.Config{
		Keys:         []localserver.KeyConfig{{Key: secretKey, Name: "e2e", Plan: localserver.Plan{Name: "custom", MaxAgents: 3}}},
		MaxBodyBytes: 24 << 10,
	})
	col, zpages := startSecurityCollector(t, url, secretKey)

	send := func(traces int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := agentsim.Run(ctx, agentsim.Config{Endpoint: col.OTLPHTTP, Agents: 5, Traces: traces, Seed: 5}, agentsim.Options{})
		require.NoError(t, err)
	}
	send(3) // accepted, verdicts (BLOCK is logged), two agents over the plan
	for _, f := range []localserver.Faults{
		{Storm429: localserver.Window{Length: 3 * time.Second}, RetryAfter: time.Second},
		{Burst5xx: localserver.Window{Length: 3 * time.Second}},
		{DropConnRate: 0.5},
		{SlowRate: 1, SlowDelay: 3 * time.Second}, // past the 2s timeout
	} {
		require.NoError(t, server.SetFaults(f))
		send(1)
		time.Sleep(3 * time.Second)
		require.NoError(t, server.SetFaults(localserver.Faults{}))
	}
	// One interaction larger than the server takes: 413, then dropped as too_large.
	require.NoError(t, testbed.SendTraces(context.Background(), col.OTLPHTTP,
		genaiTrace("big-prompt-agent", strings.Repeat("a very long prompt ", 1600), "ok")))

	eventually(t, 30*time.Second, func() bool {
		m := col.metrics()
		return m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="too_large"`) > 0 &&
			m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="agent_limit"`) > 0 &&
			m.Sum("otelcol_exporter_queue_size", `exporter="precogx"`) == 0
	}, "the exporter did not settle: %v", server.Stats().Totals.RequestsByStatus)
	byStatus := server.Stats().Totals.RequestsByStatus
	for _, status := range []string{"200", "403", "413", "429", "503", "dropped"} {
		assert.Positive(t, byStatus[status], "no %s answer: %v", status, byStatus)
	}

	// A server that does not know the key: 401.
	other, otherURL := startPrecogx(t, localserver.Config{Keys: []localserver.KeyConfig{{Key: "px_other_key_000000", Name: "other"}}})
	refused, refusedZPages := startSecurityCollector(t, otherURL, secretKey)
	require.NoError(t, testbed.SendTraces(context.Background(), refused.OTLPHTTP, genaiTrace("agent", "hello", "hi")))
	eventually(t, 30*time.Second, func() bool {
		return refused.metrics().Sum("otelcol_exporter_precogx_interactions_dropped", `reason="unauthorized"`) > 0
	}, "no unauthorized drop")
	assert.Positive(t, other.Stats().Totals.RequestsByStatus["401"])

	for _, c := range []struct {
		col    *prodCollector
		zpages string
	}{{col, zpages}, {refused, refusedZPages}} {
		assertNoKey(t, "debug log", c.col.proc.Log())
		assert.Contains(t, c.col.proc.Log(), "debug", "the log is not at debug level")
		assertNoKey(t, "metrics", scrapeText(t, c.col.MetricsURL))
		for page, body := range crawlZPages(t, c.zpages) {
			assertNoKey(t, "zpages "+page, body)
		}
	}
	assert.Contains(t, refused.proc.Log(), "PrecogX refused the API key")
}

// assertNoKey fails when text holds the key or a large part of it.
func assertNoKey(t *testing.T, where, text string) {
	t.Helper()
	for _, part := range []string{secretKey, secretKey[len(secretKey)-12:], secretKey[:20]} {
		assert.NotContains(t, text, part, "the API key shows in the %s", where)
	}
}

func scrapeText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

var zpagesLink = regexp.MustCompile(`href="(/debug/[^"]*)"`)

// crawlZPages fetches the zpages pages and every /debug/ page they link
// to, at most 200 pages.
func crawlZPages(t *testing.T, base string) map[string]string {
	t.Helper()
	pages := map[string]string{}
	queue := []string{"/debug/servicez", "/debug/pipelinez", "/debug/extensionz", "/debug/featurez", "/debug/tracez", "/debug/expvarz"}
	for len(queue) > 0 && len(pages) < 200 {
		page := strings.ReplaceAll(queue[0], "&amp;", "&")
		queue = queue[1:]
		if _, seen := pages[page]; seen {
			continue
		}
		resp, err := http.Get(base + page)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		if page == "/debug/servicez" {
			require.Equal(t, http.StatusOK, resp.StatusCode, "zpages did not answer")
		}
		pages[page] = string(body)
		for _, m := range zpagesLink.FindAllStringSubmatch(string(body), -1) {
			queue = append(queue, m[1])
		}
	}
	require.Greater(t, len(pages), 5, "zpages had few pages: %v", pages)
	return pages
}

// TestTLSVerifiedByDefault: the shipped configuration verifies the
// server's certificate; a server with a certificate no CA signed gets no
// request through, and the collector says why.
func TestTLSVerifiedByDefault(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)

	col := newProdCollector(t, srv.URL, secretKey, nil, nil)
	col.start()
	require.NoError(t, testbed.SendTraces(context.Background(), col.OTLPHTTP, genaiTrace("agent", "hello", "hi")))
	eventually(t, 30*time.Second, func() bool {
		return col.metrics().Sum("otelcol_exporter_precogx_requests", `status_class="network"`) > 0
	}, "the exporter made no attempt")
	eventually(t, 10*time.Second, func() bool {
		return strings.Contains(col.proc.Log(), "certificate")
	}, "the log does not say the certificate was refused:\n%s", col.proc.Log())
	assert.Zero(t, requests.Load(), "a request passed an unverified certificate")
	assertNoKey(t, "log", col.proc.Log())
}

// TestPlainHTTPWarning: a plain-HTTP endpoint on another host is warned
// about at start; loopback is not.
func TestPlainHTTPWarning(t *testing.T) {
	remote := newProdCollector(t, "http://precogx.example.invalid:8080", secretKey, nil, nil)
	remote.start()
	eventually(t, 10*time.Second, func() bool { return strings.Contains(remote.proc.Log(), "plain HTTP") },
		"no plain-HTTP warning:\n%s", remote.proc.Log())

	_, url := startPrecogx(t, localserver.Config{})
	local := newProdCollector(t, url, secretKey, nil, nil)
	local.start()
	time.Sleep(500 * time.Millisecond)
	assert.NotContains(t, local.proc.Log(), "plain HTTP", "warned about loopback %s", url)
	assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), fmt.Sprintf("the stand-in listens on %s", url))
}
