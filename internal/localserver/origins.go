package localserver

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"sync"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// Origins books a Server's API answers by the value of one request header.
// A scale-out test or demo gives each gateway its own value (the precogx
// exporter's `headers: {X-Gateway: gw1}`) and reads here which gateway
// delivered which agents' interactions. Serve it in place of
// Server.Handler; requests to other paths pass through unbooked.
type Origins struct {
	header string
	limit  int64 // body bytes decoded for booking: the server's own bound
	next   http.Handler

	mu    sync.Mutex
	books map[string]*OriginStats
}

// OriginStats are the API answers to the requests of one header value.
type OriginStats struct {
	// Requests counts API requests, whatever their answer.
	Requests int64 `json:"requests"`
	// Agents are keyed by agent_id.
	Agents map[string]OriginAgentStats `json:"agents"`
}

// OriginAgentStats count the interactions of one agent that one origin sent.
type OriginAgentStats struct {
	// Delivered counts interactions in requests answered 200, duplicates
	// included (Stats counts those).
	Delivered int64 `json:"delivered"`
	// Refused counts interactions in requests answered with an error, by
	// HTTP status: 403 is the plan's agent limit.
	Refused map[int]int64 `json:"refused,omitempty"`
}

// NewOrigins wraps s's handler, booking by the request header named header.
func NewOrigins(s *Server, header string) *Origins {
	return &Origins{
		header: header,
		limit:  s.cfg.MaxBodyBytes,
		next:   s.Handler(),
		books:  map[string]*OriginStats{},
	}
}

// ServeHTTP serves the request with the Server and books its answer.
func (o *Origins) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	batch := r.URL.Path == precogxapi.PathBatch
	if r.Method != http.MethodPost || !batch && r.URL.Path != precogxapi.PathIngest {
		o.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, o.limit+1))
	// The Server reads the body as sent, whatever was read here.
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	var agents []string
	if err == nil && int64(len(body)) <= o.limit {
		agents = agentsOf(body, batch)
	}
	rec := &statusRecorder{ResponseWriter: w}
	o.next.ServeHTTP(rec, r)
	o.book(r.Header.Get(o.header), rec.status, agents)
}

// agentsOf returns the agent_id of each interaction of a request body, or
// nil when the body does not decode (the Server refuses it).
func agentsOf(body []byte, batch bool) []string {
	decode := decodeSingle
	if batch {
		decode = decodeBatch
	}
	items, ref := decode(body)
	if ref != nil {
		return nil
	}
	agents := make([]string, len(items))
	for i, it := range items {
		agents[i] = it.ix.AgentID
	}
	return agents
}

// book counts one request of origin answered status (0 when nothing was
// answered: a dropped connection, a client gone).
func (o *Origins) book(origin string, status int, agents []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.books[origin]
	if b == nil {
		b = &OriginStats{Agents: map[string]OriginAgentStats{}}
		o.books[origin] = b
	}
	b.Requests++
	if status == 0 {
		return
	}
	for _, id := range agents {
		a := b.Agents[id]
		if status == http.StatusOK {
			a.Delivered++
		} else {
			if a.Refused == nil {
				a.Refused = map[int]int64{}
			}
			a.Refused[status]++
		}
		b.Agents[id] = a
	}
}

// Snapshot returns the books, keyed by header value ("" for requests
// without the header).
func (o *Origins) Snapshot() map[string]OriginStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]OriginStats, len(o.books))
	for origin, b := range o.books {
		c := OriginStats{Requests: b.Requests, Agents: make(map[string]OriginAgentStats, len(b.Agents))}
		for id, a := range b.Agents {
			a.Refused = maps.Clone(a.Refused)
			c.Agents[id] = a
		}
		out[origin] = c
	}
	return out
}

// statusRecorder remembers the status the Server answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection, which the
// Server hijacks to drop it.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
