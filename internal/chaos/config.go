package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/precogxai/precogx-otel/internal/localserver"
)

// exporterTimeout is the precogx exporter's timeout in the chaos overlay
// (testdata/e2e-chaos.yaml): slow answers are held past it.
const exporterTimeout = 5 * time.Second

// Config drives one run.
type Config struct {
	// CollectorBin is the built collector.
	CollectorBin string
	// Configs are the collector's configuration files, merged in order:
	// testdata/production.yaml and the chaos overlay.
	Configs []string
	// WorkDir holds the persistent queue, the JSONL of what the server
	// received and the collector's logs. It must be empty or missing.
	WorkDir string
	// Agents is the number of simulated agents; conventions go round-robin.
	Agents int
	// Interactions is the least number of interactions the agents produce;
	// they keep sending until the schedule is over and this many are out.
	Interactions int
	// Schedule is the fault schedule; the agents send throughout.
	Schedule []Step
	// Soak, when positive, replaces the schedule by a steady run this long
	// at SoakRate traces per second per agent, sampled every SoakSample.
	Soak       time.Duration
	SoakRate   float64
	SoakSample time.Duration
	// RestartAfter is how long a killed collector stays down.
	RestartAfter time.Duration
	// Drain bounds the wait for delivery once the agents have stopped.
	Drain time.Duration
	// Seed makes the agents' content and the server's random faults
	// reproducible.
	Seed int64
	// Progress receives a line per step and a status line every few
	// seconds; nil discards them.
	Progress io.Writer
}

// Step is one stretch of the schedule.
type Step struct {
	Name   string
	Length time.Duration
	// Faults are injected for the whole step and lifted at its end.
	Faults localserver.Faults
	// KillAt, when positive, kills the collector with SIGKILL this far into
	// the step; it starts again on the same queue RestartAfter later.
	KillAt time.Duration
}

// FullSchedule is the schedule of `make chaos`: 5xx bursts, 429 storms with
// Retry-After, answers slower than the exporter's timeout, dropped
// connections and a 60-second outage, one SIGKILL in steady traffic and one
// in the middle of the outage, with steady stretches between them.
func FullSchedule() []Step {
	return []Step{
		{Name: "steady", Length: 15 * time.Second},
		{Name: "5xx bursts (3s every 5s)", Length: 15 * time.Second,
			Faults: localserver.Faults{Burst5xx: localserver.Window{Length: 3 * time.Second, Every: 5 * time.Second}}},
		{Name: "steady, SIGKILL at 5s", Length: 15 * time.Second, KillAt: 5 * time.Second},
		{Name: "429 storms with Retry-After: 2s (3s every 5s)", Length: 15 * time.Second,
			Faults: localserver.Faults{Storm429: localserver.Window{Length: 3 * time.Second, Every: 5 * time.Second}, RetryAfter: 2 * time.Second}},
		{Name: "steady", Length: 10 * time.Second},
		{Name: "slow answers: 3% held 6s, past the 5s timeout", Length: 15 * time.Second,
			Faults: localserver.Faults{SlowRate: 0.03, SlowDelay: exporterTimeout + time.Second}},
		{Name: "steady", Length: 10 * time.Second},
		{Name: "dropped connections (30%)", Length: 15 * time.Second,
			Faults: localserver.Faults{DropConnRate: 0.3}},
		{Name: "steady", Length: 10 * time.Second},
		{Name: "full outage 60s, SIGKILL at 30s", Length: 60 * time.Second,
			Faults: localserver.Faults{Outage: localserver.OutageClose}, KillAt: 30 * time.Second},
		{Name: "steady", Length: 30 * time.Second},
	}
}

// ShortSchedule is the shortened form `make test` runs: one 5xx burst, one
// 429 storm, a 10-second outage with one SIGKILL in it.
func ShortSchedule() []Step {
	return []Step{
		{Name: "steady", Length: 4 * time.Second},
		{Name: "5xx burst", Length: 4 * time.Second,
			Faults: localserver.Faults{Burst5xx: localserver.Window{Length: 3 * time.Second}}},
		{Name: "429 storm with Retry-After: 1s", Length: 4 * time.Second,
			Faults: localserver.Faults{Storm429: localserver.Window{Length: 3 * time.Second}, RetryAfter: time.Second}},
		{Name: "full outage 10s, SIGKILL at 5s", Length: 10 * time.Second,
			Faults: localserver.Faults{Outage: localserver.OutageClose}, KillAt: 5 * time.Second},
		{Name: "steady", Length: 8 * time.Second},
	}
}

// length is the schedule's total duration.
func length(steps []Step) time.Duration {
	var d time.Duration
	for _, s := range steps {
		d += s.Length
	}
	return d
}

func (c *Config) validate() error {
	var errs []error
	if c.CollectorBin == "" || len(c.Configs) == 0 || c.WorkDir == "" {
		errs = append(errs, errors.New("collector binary, configs and work dir are required"))
	}
	if c.Agents < 1 {
		errs = append(errs, errors.New("agents must be at least 1"))
	}
	if c.Soak > 0 {
		if c.SoakRate <= 0 || c.SoakSample <= 0 {
			errs = append(errs, errors.New("a soak needs a positive rate and sample interval"))
		}
	} else {
		if c.Interactions < 1 {
			errs = append(errs, errors.New("interactions must be at least 1"))
		}
		if length(c.Schedule) <= 0 {
			errs = append(errs, errors.New("the schedule is empty"))
		}
	}
	for i, s := range c.Schedule {
		if err := s.Faults.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("step %d (%s): %w", i, s.Name, err))
		}
		if s.KillAt >= s.Length && s.KillAt > 0 {
			errs = append(errs, fmt.Errorf("step %d (%s): kill at %s is past its end", i, s.Name, s.KillAt))
		}
	}
	if c.RestartAfter < 0 || c.Drain <= 0 {
		errs = append(errs, errors.New("restart delay must not be negative and the drain must be positive"))
	}
	return errors.Join(errs...)
}
