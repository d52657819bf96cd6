package localserver

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIKey is the only key accepted when Config.Keys is empty.
const DefaultAPIKey = "px_local_demo"

// DefaultMaxBodyBytes is the largest request body accepted when
// Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 5 << 20

// DefaultFlushInterval is how often the JSONL file is flushed when
// Config.JSONLFlushInterval is zero.
const DefaultFlushInterval = time.Second

// Config configures a Server. The zero value is usable: one key
// (DefaultAPIKey) without agent or rate limits, batch enabled, no faults.
type Config struct {
	// Keys are the accepted API keys with their plan. Empty means
	// DefaultAPIKey on an unlimited plan.
	Keys []KeyConfig
	// MaxBodyBytes bounds request bodies (413 beyond). Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// DisableBatch answers 404 on the batch path, as a deployment without
	// batch ingest would, so a client's fallback to single ingest is testable.
	DisableBatch bool
	// ErrorShape chooses the error body: ShapeDetail (default) or ShapeError.
	ErrorShape ErrorShape
	// JSONLPath, when set, receives one JSON line per accepted interaction
	// (JSONLRecord). The file is truncated on New.
	JSONLPath string
	// JSONLFlushInterval is how often buffered lines reach the file. Zero
	// means DefaultFlushInterval.
	JSONLFlushInterval time.Duration
	// Faults are the faults injected from the start; SetFaults changes them.
	Faults Faults
	// Seed seeds the random draws of the fault injection, so a run is
	// reproducible for a given order of requests.
	Seed uint64
	// AllowNonLoopback lets Start listen on addresses other than loopback.
	AllowNonLoopback bool
	// RetainInteractions bounds what Interactions returns: 0 keeps every
	// received interaction (tests), N > 0 the last N, negative none (long
	// runs, which have the JSONL file).
	RetainInteractions int
	// Logger receives one line per accepted interaction (Info) and per
	// refused request (Warn). Nil discards. API keys are never logged.
	Logger *slog.Logger
}

// KeyConfig is one accepted API key.
type KeyConfig struct {
	// Key is the secret the client sends.
	Key string
	// Name labels the key in statistics, logs and the JSONL file, which never
	// show the key itself. Empty means a masked form of Key.
	Name string
	// Plan limits the agents of the key and gives its default rate limit.
	// The zero Plan is unlimited.
	Plan Plan
	// Rate overrides the plan's rate limit when non-nil.
	Rate *Rate
}

// Plan is a PrecogX plan: how many distinct agent_ids one key may use.
type Plan struct {
	// Name is free, professional, business, enterprise or custom.
	Name string
	// MaxAgents is the agent limit; zero means unlimited.
	MaxAgents int
}

// The documented plans.
var (
	PlanFree         = Plan{Name: "free", MaxAgents: 1}
	PlanProfessional = Plan{Name: "professional", MaxAgents: 10}
	PlanBusiness     = Plan{Name: "business", MaxAgents: 30}
	PlanEnterprise   = Plan{Name: "enterprise"}
)

// ParsePlan reads a plan name (free, professional, business, enterprise) or
// an explicit agent limit N >= 1, which yields a "custom" plan.
func ParsePlan(s string) (Plan, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "free":
		return PlanFree, nil
	case "professional", "pro":
		return PlanProfessional, nil
	case "business":
		return PlanBusiness, nil
	case "enterprise", "unlimited":
		return PlanEnterprise, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return Plan{}, fmt.Errorf("plan %q: want free, professional, business, enterprise or an agent limit >= 1", s)
	}
	return Plan{Name: "custom", MaxAgents: n}, nil
}

// Rate is a token-bucket rate limit.
type Rate struct {
	// PerMinute is the sustained rate; zero or negative means unlimited.
	PerMinute int
	// Burst is the bucket size; zero means PerMinute.
	Burst int
}

// TierRate is the documented rate limit of a plan: free 100/min with a
// burst of 200, professional 1,000/min, business 5,000/min (bursts of twice
// the rate, as for free), enterprise and custom plans unlimited.
func (p Plan) TierRate() Rate {
	switch p.Name {
	case PlanFree.Name:
		return Rate{PerMinute: 100, Burst: 200}
	case PlanProfessional.Name:
		return Rate{PerMinute: 1000, Burst: 2000}
	case PlanBusiness.Name:
		return Rate{PerMinute: 5000, Burst: 10000}
	default:
		return Rate{}
	}
}

// ErrorShape is one of the two documented error body shapes.
type ErrorShape string

const (
	// ShapeDetail answers {"detail": "..."}.
	ShapeDetail ErrorShape = "detail"
	// ShapeError answers {"error": {"code": "...", "message": "..."}}.
	ShapeError ErrorShape = "error"
)

// withDefaults validates cfg and fills its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Keys) == 0 {
		cfg.Keys = []KeyConfig{{Key: DefaultAPIKey}}
	}
	keys := make([]KeyConfig, len(cfg.Keys))
	seenKey := map[string]bool{}
	seenName := map[string]bool{}
	for i, k := range cfg.Keys {
		if k.Key == "" {
			return cfg, fmt.Errorf("keys[%d]: empty key", i)
		}
		if seenKey[k.Key] {
			return cfg, fmt.Errorf("keys[%d]: key given twice", i)
		}
		seenKey[k.Key] = true
		if k.Name == "" {
			k.Name = maskKey(k.Key)
		}
		if seenName[k.Name] {
			return cfg, fmt.Errorf("keys[%d]: name %q given twice; set distinct names", i, k.Name)
		}
		seenName[k.Name] = true
		if k.Plan.MaxAgents < 0 {
			return cfg, fmt.Errorf("keys[%d]: negative agent limit", i)
		}
		if k.Rate != nil && k.Rate.Burst < 0 {
			return cfg, fmt.Errorf("keys[%d]: negative burst", i)
		}
		keys[i] = k
	}
	cfg.Keys = keys
	switch {
	case cfg.MaxBodyBytes == 0:
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	case cfg.MaxBodyBytes < 0:
		return cfg, errors.New("negative max body size")
	}
	switch cfg.ErrorShape {
	case "":
		cfg.ErrorShape = ShapeDetail
	case ShapeDetail, ShapeError:
	default:
		return cfg, fmt.Errorf("error shape %q: want %q or %q", cfg.ErrorShape, ShapeDetail, ShapeError)
	}
	switch {
	case cfg.JSONLFlushInterval == 0:
		cfg.JSONLFlushInterval = DefaultFlushInterval
	case cfg.JSONLFlushInterval < 0:
		return cfg, errors.New("negative JSONL flush interval")
	}
	if err := cfg.Faults.Validate(); err != nil {
		return cfg, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// maskKey keeps just enough of a key to tell keys apart in statistics.
func maskKey(key string) string {
	if len(key) <= 8 {
		return "key-" + strings.Repeat("*", len(key))
	}
	return key[:4] + "..." + key[len(key)-4:]
}
