package localserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// Received is one interaction the server answered 200.
type Received struct {
	// Key is the name of the key that sent it.
	Key string
	// Path is the API path it came by.
	Path        string
	AgentID     string
	Interaction precogxapi.Interaction
	// Raw is the interaction as sent, custom metadata included.
	Raw     json.RawMessage
	Verdict precogxapi.Verdict
	// Duplicate is set when the key had already delivered its
	// metadata.interaction_id.
	Duplicate  bool
	ReceivedAt time.Time
}

// draws are the random numbers one request may need, drawn together so the
// sequence depends on the seed and the order of requests only.
type draws struct {
	drop, fail, slow float64
	failStatus       int
}

var injectedStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

func (s *Server) draw() draws {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return draws{
		drop:       s.rng.Float64(),
		fail:       s.rng.Float64(),
		slow:       s.rng.Float64(),
		failStatus: injectedStatuses[s.rng.IntN(len(injectedStatuses))],
	}
}

// serveAPI runs one API request through the checks in the order the
// package documentation gives.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, batch bool) {
	if !s.enter() {
		s.refuse(w, r, nil, refuseShuttingDown, nil)
		return
	}
	defer s.inflight.Done()
	if r.Method != http.MethodPost {
		s.refuse(w, r, nil, refuseMethod, nil)
		return
	}
	f := s.faults.Load()
	d := s.draw()
	switch {
	case f.Outage == OutageClose, d.drop < f.DropConnRate:
		s.drop(w)
		return
	case f.Outage == Outage503:
		s.refuse(w, r, nil, refuseInjected(http.StatusServiceUnavailable), nil)
		return
	}
	// The body is read before the latency so that the server notices a
	// client that gives up meanwhile (net/http watches the connection only
	// once the body is consumed).
	body, ref := readBody(w, r, s.cfg.MaxBodyBytes)
	if ref != nil {
		s.refuse(w, r, nil, *ref, nil)
		return
	}
	if !s.hold(w, r, f.Latency) {
		return
	}
	key := authenticate(s.keys, r.Header)
	if key == nil {
		s.refuse(w, r, nil, refuseUnauthorized, nil)
		return
	}
	ref = checkEncoding(r.Header)
	var items []decoded
	switch {
	case ref != nil:
	case batch:
		items, ref = decodeBatch(body)
	default:
		items, ref = decodeSingle(body)
	}
	if ref != nil {
		s.refuse(w, r, key, *ref, nil)
		return
	}
	agents := make([]string, len(items))
	for i, it := range items {
		agents[i] = it.ix.AgentID
	}
	if ref := s.injected(f, d); ref != nil {
		s.refuse(w, r, key, *ref, agents)
		return
	}
	if ok, retryAfter := key.allow(s.now()); !ok {
		s.refuse(w, r, key, refuseRateLimited(ReasonRateLimited, retryAfter), agents)
		return
	}
	verdicts, ok := s.accept(key, r.URL.Path, items)
	if !ok {
		s.refuse(w, r, key, refuseAgentLimit, agents)
		return
	}
	if d.slow < f.SlowRate {
		// The interactions are kept whatever happens now: a client that
		// times out and retries sends duplicates.
		s.wait(r.Context(), f.SlowDelay)
	}
	if batch {
		writeJSON(w, http.StatusOK, precogxapi.BatchResponse{Status: "success", Results: verdicts})
		return
	}
	writeJSON(w, http.StatusOK, verdicts[0])
}

// injected returns the injected answer due now, if any.
func (s *Server) injected(f *faultState, d draws) *refusal {
	elapsed := s.now().Sub(f.since)
	if on, _ := f.Burst5xx.active(elapsed); on {
		ref := refuseInjected(http.StatusServiceUnavailable)
		return &ref
	}
	if on, left := f.Storm429.active(elapsed); on {
		if f.RetryAfter > 0 {
			left = f.RetryAfter
		}
		ref := refuseRateLimited(ReasonInjectedFault, ceilSeconds(left))
		return &ref
	}
	if d.fail < f.ErrorRate {
		ref := refuseInjected(d.failStatus)
		return &ref
	}
	return nil
}

// hold adds the configured latency. It answers and returns false when the
// client left or the server is closing meanwhile.
func (s *Server) hold(w http.ResponseWriter, r *http.Request, latency time.Duration) bool {
	if s.wait(r.Context(), latency) {
		return true
	}
	if r.Context().Err() != nil {
		s.mu.Lock()
		s.stats.request(StatusClientGone)
		s.stats.totals.RejectedRequests[ReasonClientGone]++
		s.mu.Unlock()
		return false
	}
	s.refuse(w, r, nil, refuseShuttingDown, nil)
	return false
}

// wait sleeps for d unless ctx ends or the server closes first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// drop closes the connection without an answer.
func (s *Server) drop(w http.ResponseWriter) {
	s.mu.Lock()
	s.stats.request(StatusDropped)
	s.stats.totals.RejectedRequests[ReasonInjectedFault]++
	s.mu.Unlock()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2): abort the stream instead
	}
	_ = conn.Close()
}

// refuse answers ref and counts it against the agents of the request's
// interactions (one entry per interaction).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, key *keyState, ref refusal, agents []string) {
	s.mu.Lock()
	s.stats.rejected(ref.status, ref.reason, agents)
	s.mu.Unlock()
	keyName := ""
	if key != nil {
		keyName = key.cfg.Name
	}
	s.log.Warn("request refused", "path", r.URL.Path, "status", ref.status, "reason", ref.reason,
		"key", keyName, "agents", slices.Compact(slices.Sorted(slices.Values(agents))))
	ref.write(w, s.cfg.ErrorShape)
}

// accept admits the request's agents under the key's plan, answers each
// interaction with a verdict and records it. It returns false, recording
// nothing, when the plan refuses a new agent.
func (s *Server) accept(key *keyState, path string, items []decoded) ([]precogxapi.Verdict, bool) {
	agents := make([]string, len(items))
	verdicts := make([]precogxapi.Verdict, len(items))
	for i := range items {
		agents[i] = items[i].ix.AgentID
		action, risk, flags := assess(&items[i].ix)
		verdicts[i] = precogxapi.Verdict{Status: "success", Action: action, RiskScore: &risk, Flags: flags}
	}
	now := s.now()
	records := make([]Received, len(items))

	s.mu.Lock()
	if !key.admit(agents) {
		s.mu.Unlock()
		return nil, false
	}
	s.stats.request("200")
	for i, it := range items {
		id := it.ix.Metadata.InteractionID
		answered, dup := key.delivered[id]
		if id == "" || !dup {
			dup = false
			s.seq++
			answered = fmt.Sprintf("ix-%08d", s.seq)
			if id != "" {
				key.delivered[id] = answered
			}
		}
		verdicts[i].InteractionID = answered
		s.stats.received(it.ix.AgentID, verdicts[i].Action, dup)
		records[i] = Received{
			Key: key.cfg.Name, Path: path, AgentID: it.ix.AgentID, Interaction: it.ix, Raw: it.raw,
			Verdict: verdicts[i], Duplicate: dup, ReceivedAt: now,
		}
	}
	s.retain(records)
	s.mu.Unlock()

	for _, rec := range records {
		s.record(rec)
	}
	return verdicts, true
}

// retain keeps records for Interactions. Called with s.mu held.
func (s *Server) retain(records []Received) {
	n := s.cfg.RetainInteractions
	if n < 0 {
		return
	}
	s.received = append(s.received, records...)
	if n > 0 && len(s.received) >= 2*n { // trim rarely: amortized O(1)
		s.received = append([]Received(nil), s.received[len(s.received)-n:]...)
	}
}

// record writes rec to the JSONL file and the log.
func (s *Server) record(rec Received) {
	if s.jsonl != nil {
		err := s.jsonl.Write(JSONLRecord{
			ReceivedAt: rec.ReceivedAt, Key: rec.Key, Path: rec.Path, AgentID: rec.AgentID,
			Duplicate: rec.Duplicate, Verdict: rec.Verdict, Interaction: rec.Raw,
		})
		if err != nil {
			s.mu.Lock()
			s.stats.totals.JSONLErrors++
			s.mu.Unlock()
			s.log.Error("JSONL write failed", "error", err)
		}
	}
	s.log.Info("interaction", "key", rec.Key, "agent_id", rec.AgentID, "action", rec.Verdict.Action,
		"risk_score", *rec.Verdict.RiskScore, "flags", rec.Verdict.Flags, "duplicate", rec.Duplicate,
		"interaction_id", rec.Interaction.Metadata.InteractionID)
}
