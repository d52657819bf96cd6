package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/precogxai/precogx-otel/internal/agentsim"
)

// ledger holds the interactions PrecogX must receive, keyed by the
// interaction_id the exporter derives from the LLM span (trace id and span
// id), as the agents emit them.
type ledger struct {
	mu       sync.Mutex
	expected map[string]agentsim.Convention
}

func newLedger() *ledger { return &ledger{expected: map[string]agentsim.Convention{}} }

func (l *ledger) expect(e agentsim.Expected) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expected[e.TraceID+"-"+e.SpanID] = e.Convention
}

func (l *ledger) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.expected)
}

// Tally is the account of every expected interaction.
type Tally struct {
	Expected int
	// ByConvention counts the expected interactions of each convention.
	ByConvention map[agentsim.Convention]int
	// Delivered counts the expected interactions PrecogX received at least
	// once.
	Delivered int
	// Lost lists the expected interactions PrecogX never received, sorted.
	Lost []string
	// Duplicates counts the extra copies PrecogX received of interactions
	// it already had. DuplicateTimes holds, for each extra copy, when the
	// first copy arrived: the fault that caused a resend acted then (an
	// answer held past the timeout, a kill before the queue was updated).
	Duplicates     int
	DuplicateTimes []time.Time
	// Unexpected lists the distinct interactions PrecogX received that no
	// agent's trace should have produced, sorted by id.
	Unexpected []Delivery
}

// Delivery is what PrecogX received of one interaction_id.
type Delivery struct {
	ID, Kind, SpanName, AgentID string
	// At lists when each copy arrived, the first one first.
	At []time.Time
	// OfExpectedTrace is set, for an unexpected interaction, when an
	// expected interaction comes from the same trace.
	OfExpectedTrace bool
}

// reconcile compares the expectations with what PrecogX received.
func (l *ledger) reconcile(received map[string]*Delivery) Tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := Tally{Expected: len(l.expected), ByConvention: map[agentsim.Convention]int{}}
	traces := map[string]bool{}
	for id, conv := range l.expected {
		traces[traceOf(id)] = true
		t.ByConvention[conv]++
		if received[id] == nil {
			t.Lost = append(t.Lost, id)
			continue
		}
		t.Delivered++
	}
	for id, d := range received {
		t.Duplicates += len(d.At) - 1
		for range d.At[1:] {
			t.DuplicateTimes = append(t.DuplicateTimes, d.At[0])
		}
		if _, ok := l.expected[id]; !ok {
			u := *d
			u.OfExpectedTrace = traces[traceOf(id)]
			t.Unexpected = append(t.Unexpected, u)
		}
	}
	slices.Sort(t.Lost)
	slices.SortFunc(t.Unexpected, func(a, b Delivery) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(t.DuplicateTimes, time.Time.Compare)
	return t
}

// traceOf is the trace id part of an interaction_id.
func traceOf(id string) string {
	trace, _, _ := strings.Cut(id, "-")
	return trace
}

// readDeliveries reads the server's JSONL file: what arrived of each
// interaction_id, and when.
func readDeliveries(path string) (map[string]*Delivery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDeliveries(f)
}

func parseDeliveries(r io.Reader) (map[string]*Delivery, error) {
	type line struct {
		ReceivedAt  time.Time `json:"received_at"`
		AgentID     string    `json:"agent_id"`
		Interaction struct {
			Metadata struct {
				InteractionID string `json:"interaction_id"`
				Kind          string `json:"kind"`
				SpanName      string `json:"span_name"`
			} `json:"metadata"`
		} `json:"interaction"`
	}
	out := map[string]*Delivery{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		md := l.Interaction.Metadata
		d := out[md.InteractionID]
		if d == nil {
			d = &Delivery{ID: md.InteractionID, Kind: md.Kind, SpanName: md.SpanName, AgentID: l.AgentID}
			out[md.InteractionID] = d
		}
		d.At = append(d.At, l.ReceivedAt)
	}
	return out, sc.Err()
}
