package localserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    Window
		wantErr bool
	}{
		{in: "", want: Window{}},
		{in: "5s/30s", want: Window{Length: 5 * time.Second, Every: 30 * time.Second}},
		{in: "2s", want: Window{Length: 2 * time.Second}},
		{in: "500ms/1m", want: Window{Length: 500 * time.Millisecond, Every: time.Minute}},
		{in: "5/30", wantErr: true},
		{in: "5s/", wantErr: true},
		{in: "-1s/30s", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseWindow(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil {
			if back, _ := ParseWindow(got.String()); back != got {
				t.Errorf("ParseWindow(%q.String()) = %+v", tt.in, back)
			}
		}
	}
}

func TestWindowActive(t *testing.T) {
	s := time.Second
	tests := []struct {
		w        Window
		elapsed  time.Duration
		wantOn   bool
		wantLeft time.Duration
	}{
		{Window{}, 0, false, 0},
		{Window{Length: 5 * s, Every: 30 * s}, 0, true, 5 * s},
		{Window{Length: 5 * s, Every: 30 * s}, 4 * s, true, s},
		{Window{Length: 5 * s, Every: 30 * s}, 5 * s, false, 0},
		{Window{Length: 5 * s, Every: 30 * s}, 29 * s, false, 0},
		{Window{Length: 5 * s, Every: 30 * s}, 31 * s, true, 4 * s},
		{Window{Length: 5 * s}, 3 * s, true, 2 * s},
		{Window{Length: 5 * s}, 35 * s, false, 0},
		{Window{Length: 5 * s, Every: 5 * s}, 1003 * s, true, 2 * s},
		{Window{Length: 5 * s, Every: 30 * s}, -s, false, 0},
	}
	for _, tt := range tests {
		on, left := tt.w.active(tt.elapsed)
		if on != tt.wantOn || left != tt.wantLeft {
			t.Errorf("%v.active(%v) = %v, %v; want %v, %v", tt.w, tt.elapsed, on, left, tt.wantOn, tt.wantLeft)
		}
	}
}

func TestFaultsJSON(t *testing.T) {
	f := Faults{
		ErrorRate: 0.1, Latency: 250 * time.Millisecond,
		Burst5xx: Window{Length: 5 * time.Second, Every: 30 * time.Second}, Storm429: Window{Length: 2 * time.Second},
		RetryAfter: 3 * time.Second, DropConnRate: 0.05, Outage: Outage503, SlowRate: 0.2, SlowDelay: 10 * time.Second,
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"error_rate":0.1,"latency":"250ms","burst_5xx":"5s/30s","storm_429":"2s","retry_after":"3s",` +
		`"drop_conn_rate":0.05,"outage":"503","slow_rate":0.2,"slow_delay":"10s"}`
	if string(data) != want {
		t.Errorf("json = %s\nwant %s", data, want)
	}
	var back Faults
	if err := json.Unmarshal(data, &back); err != nil || back != f {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if data, _ := json.Marshal(Faults{}); string(data) != `{}` {
		t.Errorf("zero faults = %s", data)
	}
	for _, bad := range []string{`{"eror_rate":1}`, `{"latency":"soon"}`, `{"burst_5xx":"5s/x"}`, `{"latency":5}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestFaultsValidate(t *testing.T) {
	bad := []Faults{
		{ErrorRate: -0.1}, {DropConnRate: 1.5}, {SlowRate: 2}, {Latency: -time.Second},
		{Burst5xx: Window{Length: -time.Second}}, {Outage: "sometimes"}, {RetryAfter: -1},
	}
	for _, f := range bad {
		if f.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", f)
		}
	}
	if err := (Faults{ErrorRate: 1, DropConnRate: 0, Outage: OutageClose}).Validate(); err != nil {
		t.Errorf("Validate of valid faults: %v", err)
	}
}

func TestErrorRateAnswersServerErrors(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{ErrorRate: 1}})
	seen := map[int]bool{}
	for range 30 {
		a := h.ingest(interaction("a", "1"))
		seen[a.status] = true
		switch a.status {
		case http.StatusBadGateway:
			if !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(string(a.body), "502 Bad Gateway") {
				t.Errorf("502 answer %q: %s", a.header.Get("Content-Type"), a.body)
			}
		case http.StatusInternalServerError, http.StatusServiceUnavailable:
			if !json.Valid(a.body) {
				t.Errorf("%d body is not JSON: %s", a.status, a.body)
			}
		default:
			t.Fatalf("status %d with error rate 1", a.status)
		}
	}
	if len(seen) != 3 {
		t.Errorf("statuses seen = %v, want 500, 502 and 503", seen)
	}
	st := h.srv.Stats()
	if st.Totals.RejectedRequests[ReasonInjectedFault] != 30 || st.Agents["a"].Rejected[ReasonInjectedFault] != 30 ||
		st.Totals.Accepted != 0 {
		t.Errorf("stats = %+v", st.Totals)
	}
}

func TestErrorRateIsSeeded(t *testing.T) {
	statuses := func(seed uint64) []int {
		h := newHarness(t, Config{Seed: seed, Faults: Faults{ErrorRate: 0.3}})
		var out []int
		for range 60 {
			out = append(out, h.ingest(interaction("a", "")).status)
		}
		return out
	}
	first, again, other := statuses(7), statuses(7), statuses(8)
	if !slices.Equal(first, again) {
		t.Errorf("same seed, different answers:\n%v\n%v", first, again)
	}
	if slices.Equal(first, other) {
		t.Error("different seeds gave the same answers")
	}
	failed := 0
	for _, s := range first {
		if s != http.StatusOK {
			failed++
		}
	}
	if failed < 6 || failed > 36 { // 18 expected; bounds far outside any plausible draw
		t.Errorf("%d of 60 failed at rate 0.3", failed)
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{Latency: 150 * time.Millisecond}})
	start := time.Now()
	wantStatus(t, h.ingest(interaction("a", "1")), http.StatusOK)
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("answer took %v, want at least the 150ms latency", took)
	}
}

func TestLatencyClientGone(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{Latency: time.Minute}})
	h.client.Timeout = 100 * time.Millisecond
	if _, err := h.do(http.MethodPost, precogxapi.PathIngest, mustJSON(t, interaction("a", "1")), nil); err == nil {
		t.Fatal("request answered despite a minute of latency")
	}
	waitFor(t, func() bool { return h.srv.Stats().Totals.RequestsByStatus[StatusClientGone] == 1 })
}

func TestCloseWakesHeldRequests(t *testing.T) {
	srv, err := New(Config{Faults: Faults{Latency: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+precogxapi.PathIngest, strings.NewReader(`{}`))
		req.Header.Set(precogxapi.HeaderAPIKey, DefaultAPIKey)
		resp, err := (&http.Client{Transport: transport}).Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-entered
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if status := <-answered; status != http.StatusServiceUnavailable {
		t.Errorf("held request answered %d, want 503", status)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %v", took)
	}
	if got := srv.Stats().Totals.RejectedRequests[ReasonShuttingDown]; got != 1 {
		t.Errorf("shutting_down = %d, want 1", got)
	}
}

func TestBurst5xxWindows(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Config{Faults: Faults{Burst5xx: Window{Length: 5 * time.Second, Every: 30 * time.Second}}}, withClock(clock))
	steps := []struct {
		advance time.Duration
		want    int
	}{
		{0, http.StatusServiceUnavailable},
		{4900 * time.Millisecond, http.StatusServiceUnavailable},
		{100 * time.Millisecond, http.StatusOK},
		{24 * time.Second, http.StatusOK},
		{time.Second, http.StatusServiceUnavailable}, // t = 30s: the next burst
		{5 * time.Second, http.StatusOK},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		if a := h.ingest(interaction("a", "")); a.status != st.want {
			t.Errorf("step %d: status %d, want %d", i, a.status, st.want)
		}
	}
}

func TestStorm429(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Config{}, withClock(clock))
	if err := h.srv.SetFaults(Faults{Storm429: Window{Length: 10 * time.Second, Every: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Second)
	a := h.ingest(interaction("a", "1"))
	wantStatus(t, a, http.StatusTooManyRequests)
	if got := a.header.Get("Retry-After"); got != "7" {
		t.Errorf("Retry-After = %q, want 7 (the rest of the window)", got)
	}
	if err := h.srv.SetFaults(Faults{Storm429: Window{Length: 10 * time.Second}, RetryAfter: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := h.ingest(interaction("a", "1")).header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want the configured 2", got)
	}
	clock.Advance(10 * time.Second)
	wantStatus(t, h.ingest(interaction("a", "1")), http.StatusOK)
	st := h.srv.Stats()
	if st.Totals.RejectedRequests[ReasonInjectedFault] != 2 || st.Totals.RejectedRequests[ReasonRateLimited] != 0 {
		t.Errorf("rejected = %v: storms count as injected faults, not as the key's rate limit", st.Totals.RejectedRequests)
	}
}

func TestDroppedConnections(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{DropConnRate: 1}})
	for range 3 {
		if a, err := h.do(http.MethodPost, precogxapi.PathIngest, mustJSON(t, interaction("a", "1")), nil); err == nil {
			t.Fatalf("answered %d on a dropped connection", a.status)
		}
	}
	st := h.srv.Stats().Totals
	if st.RequestsByStatus[StatusDropped] != 3 || st.Received != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestOutage(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{Outage: OutageClose}})
	if _, err := h.do(http.MethodPost, precogxapi.PathIngest, mustJSON(t, interaction("a", "1")), nil); err == nil {
		t.Error("answered during a closing outage")
	}
	if err := h.srv.SetFaults(Faults{Outage: Outage503}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.ingest(interaction("a", "1")), http.StatusServiceUnavailable)
	// Even unauthenticated requests are refused: the outage comes first.
	a, err := h.do(http.MethodPost, precogxapi.PathIngest, nil, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, a, http.StatusServiceUnavailable)
	if err := h.srv.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.ingest(interaction("a", "1")), http.StatusOK)
}

func TestSlowAnswersKeepTheData(t *testing.T) {
	h := newHarness(t, Config{Faults: Faults{SlowRate: 1, SlowDelay: time.Minute}})
	h.client.Timeout = 200 * time.Millisecond
	if _, err := h.do(http.MethodPost, precogxapi.PathIngest, mustJSON(t, interaction("a", "slow-1")), nil); err == nil {
		t.Fatal("slow answer arrived before the client timeout")
	}
	if err := h.srv.SetFaults(Faults{}); err != nil {
		t.Fatal(err)
	}
	h.client.Timeout = 10 * time.Second
	wantStatus(t, h.ingest(interaction("a", "slow-1")), http.StatusOK)
	tot := h.srv.Stats().Totals
	if tot.Accepted != 1 || tot.Duplicates != 1 {
		t.Errorf("accepted/duplicates = %d/%d, want 1/1: the timed-out request was kept", tot.Accepted, tot.Duplicates)
	}
}

func TestAdminFaultsEndpoint(t *testing.T) {
	h := newHarness(t, Config{})
	admin := func(method, body string) answer {
		a, err := h.do(method, "/admin/faults", []byte(body), map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := admin(http.MethodPost, `{"error_rate":1,"latency":"1ms"}`)
	wantStatus(t, a, http.StatusOK)
	if strings.TrimSpace(string(a.body)) != `{"error_rate":1,"latency":"1ms"}` {
		t.Errorf("POST answer = %s", a.body)
	}
	if st := h.ingest(interaction("a", "1")).status; st < 500 {
		t.Errorf("status %d with error rate 1", st)
	}
	for _, bad := range []string{`{"eror_rate":1}`, `{"latency":"x"}`, `{"error_rate":3}`, `not json`} {
		if a := admin(http.MethodPost, bad); a.status != http.StatusBadRequest {
			t.Errorf("POST %s = %d, want 400", bad, a.status)
		}
	}
	if got := admin(http.MethodGet, ""); strings.TrimSpace(string(got.body)) != `{"error_rate":1,"latency":"1ms"}` {
		t.Errorf("bad POSTs changed the faults: %s", got.body)
	}
	wantStatus(t, admin(http.MethodPost, `{}`), http.StatusOK)
	wantStatus(t, h.ingest(interaction("a", "1")), http.StatusOK)
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
