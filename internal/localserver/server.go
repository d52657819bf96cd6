package localserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// shutdownGrace bounds how long Close waits for requests in flight.
const shutdownGrace = 5 * time.Second

// Server is a local PrecogX API. Create it with New, then either Start it
// or mount Handler in an httptest.Server; Close it in both cases.
type Server struct {
	cfg     Config
	keys    []*keyState
	jsonl   *jsonlWriter // nil when no JSONL file is configured
	log     *slog.Logger
	handler http.Handler
	now     func() time.Time // tests in this package fake the clock

	faults atomic.Pointer[faultState]
	rngMu  sync.Mutex
	rng    *rand.Rand

	mu       sync.Mutex // guards stats, received, seq and every keyState's maps
	stats    statsBook
	received []Received
	seq      uint64

	done      chan struct{} // closed by Close: wakes held requests
	closeOnce sync.Once
	closeErr  error

	// flightMu orders API requests entering against Close, which waits for
	// those in flight before closing the JSONL file, also when the Server
	// is mounted elsewhere through Handler.
	flightMu sync.Mutex
	closing  bool
	inflight sync.WaitGroup

	srvMu  sync.Mutex
	srv    *http.Server
	served chan struct{} // closed when Serve has returned
}

// faultState is the current faults and when they were set, the origin of
// their windows.
type faultState struct {
	Faults
	since time.Time
}

// New validates cfg and builds a Server. It opens the JSONL file, if any.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("localserver: %w", err)
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		now:   time.Now,
		rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		stats: newStatsBook(),
		done:  make(chan struct{}),
	}
	for _, k := range cfg.Keys {
		s.keys = append(s.keys, newKeyState(k))
	}
	s.faults.Store(&faultState{Faults: cfg.Faults, since: s.now()})
	if cfg.JSONLPath != "" {
		if s.jsonl, err = openJSONL(cfg.JSONLPath, cfg.JSONLFlushInterval); err != nil {
			return nil, fmt.Errorf("localserver: %w", err)
		}
	}
	s.handler = s.routes()
	return s, nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(precogxapi.PathIngest, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, false)
	})
	mux.HandleFunc(precogxapi.PathBatch, func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.DisableBatch {
			s.refuse(w, r, nil, refuseNotFound, nil)
			return
		}
		s.serveAPI(w, r, true)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /admin/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Faults())
	})
	mux.HandleFunc("POST /admin/faults", s.serveSetFaults)
	// Anything else is answered as FastAPI would, and counted: a client
	// with a wrong endpoint path shows up in the statistics.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, nil, refuseNotFound, nil)
	})
	return mux
}

func (s *Server) serveSetFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var f Faults
	if err == nil {
		err = json.Unmarshal(body, &f)
	}
	if err == nil {
		err = s.SetFaults(f)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, precogxapi.DetailError(err.Error()))
		return
	}
	s.log.Info("faults set", "faults", string(body))
	writeJSON(w, http.StatusOK, s.Faults())
}

// enter registers an API request in flight, or reports that the server is
// closing.
func (s *Server) enter() bool {
	s.flightMu.Lock()
	defer s.flightMu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Handler serves the API, /stats, /healthz and /admin/faults.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr ("" means 127.0.0.1:0) and serves in the
// background. It returns the address actually bound, host:port. Addresses
// that are not loopback are refused unless Config.AllowNonLoopback is set.
func (s *Server) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !s.cfg.AllowNonLoopback {
		if err := checkLoopback(addr); err != nil {
			return "", fmt.Errorf("localserver: %w", err)
		}
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	select {
	case <-s.done:
		return "", errors.New("localserver: closed")
	default:
	}
	if s.srv != nil {
		return "", errors.New("localserver: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("localserver: %w", err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	s.srv, s.served = srv, served
	go func() {
		defer close(served)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve failed", "error", err)
		}
	}()
	return ln.Addr().String(), nil
}

// checkLoopback accepts "localhost" and loopback IPs; an empty host (all
// interfaces) is not loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: not a loopback address (set AllowNonLoopback)", addr)
}

// Close stops serving, wakes held requests, and flushes and closes the
// JSONL file. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.flightMu.Lock()
		s.closing = true
		s.flightMu.Unlock()
		s.srvMu.Lock()
		close(s.done)
		srv, served := s.srv, s.served
		s.srvMu.Unlock()
		var errs []error
		if srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			if srv.Shutdown(ctx) != nil {
				errs = append(errs, srv.Close())
			}
			cancel()
			<-served
		}
		s.inflight.Wait()
		if s.jsonl != nil {
			errs = append(errs, s.jsonl.Close())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.snapshot(s.keys)
}

// Interactions returns the interactions answered 200 (duplicates included,
// marked), oldest first, within Config.RetainInteractions.
func (s *Server) Interactions() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.received
	if n := s.cfg.RetainInteractions; n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return append([]Received(nil), out...)
}

// SetFaults replaces the injected faults; their windows start now.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("localserver: %w", err)
	}
	s.faults.Store(&faultState{Faults: f, since: s.now()})
	return nil
}

// Faults returns the injected faults.
func (s *Server) Faults() Faults { return s.faults.Load().Faults }
