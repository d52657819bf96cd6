package localserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Faults are the failures injected on the API paths. The zero value injects
// none. Windows are measured from the moment the faults were set.
type Faults struct {
	// ErrorRate is the fraction of requests answered 500, 502 or 503 at
	// random (the 502 carries an HTML body, as a proxy would send).
	ErrorRate float64
	// Latency is added before every request is handled.
	Latency time.Duration
	// Burst5xx answers 503 to every request inside its windows.
	Burst5xx Window
	// Storm429 answers 429 to every request inside its windows.
	Storm429 Window
	// RetryAfter is the Retry-After of the storm's 429s; zero means the time
	// left in the window.
	RetryAfter time.Duration
	// DropConnRate is the fraction of requests whose connection is closed
	// without an answer.
	DropConnRate float64
	// Outage refuses every request.
	Outage Outage
	// SlowRate is the fraction of requests whose answer is held SlowDelay
	// after the interactions were accepted: with SlowDelay beyond the
	// client's timeout the client sees a timeout for data the server kept,
	// and its retry shows up as a duplicate.
	SlowRate  float64
	SlowDelay time.Duration
}

// Outage is how a full outage refuses requests.
type Outage string

const (
	// OutageNone serves normally.
	OutageNone Outage = ""
	// OutageClose closes every connection without an answer.
	OutageClose Outage = "close"
	// Outage503 answers 503 to every request.
	Outage503 Outage = "503"
)

// Window is a recurring fault window: active for Length at the start of
// every Every period. Every == 0 means a single window of Length; Every <=
// Length means always active. Its text form is "LENGTH/EVERY" or "LENGTH",
// e.g. "5s/30s".
type Window struct {
	Length time.Duration
	Every  time.Duration
}

// ParseWindow reads "LENGTH/EVERY" or "LENGTH"; "" is the zero Window.
func ParseWindow(s string) (Window, error) {
	if s == "" {
		return Window{}, nil
	}
	lengthText, everyText, repeats := strings.Cut(s, "/")
	length, err := time.ParseDuration(lengthText)
	if err != nil {
		return Window{}, fmt.Errorf("window %q: %w", s, err)
	}
	w := Window{Length: length}
	if repeats {
		if w.Every, err = time.ParseDuration(everyText); err != nil {
			return Window{}, fmt.Errorf("window %q: %w", s, err)
		}
	}
	if w.Length < 0 || w.Every < 0 {
		return Window{}, fmt.Errorf("window %q: negative duration", s)
	}
	return w, nil
}

// String is the text form of w, "" for the zero Window.
func (w Window) String() string {
	switch {
	case w.Length == 0 && w.Every == 0:
		return ""
	case w.Every == 0:
		return w.Length.String()
	default:
		return w.Length.String() + "/" + w.Every.String()
	}
}

// active reports whether the window covers the time elapsed since the
// faults were set, and how much of the current window is left.
func (w Window) active(elapsed time.Duration) (bool, time.Duration) {
	if w.Length <= 0 || elapsed < 0 {
		return false, 0
	}
	if w.Every > 0 {
		elapsed %= w.Every
	}
	if elapsed >= w.Length {
		return false, 0
	}
	if w.Every > 0 && w.Every <= w.Length {
		return true, w.Every - elapsed // always on: the next period starts again
	}
	return true, w.Length - elapsed
}

// Validate reports faults that cannot be injected.
func (f Faults) Validate() error {
	var errs []error
	for _, r := range []struct {
		name string
		v    float64
	}{{"error_rate", f.ErrorRate}, {"drop_conn_rate", f.DropConnRate}, {"slow_rate", f.SlowRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			errs = append(errs, fmt.Errorf("%s %v: want a fraction in [0, 1]", r.name, r.v))
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"latency", f.Latency}, {"retry_after", f.RetryAfter}, {"slow_delay", f.SlowDelay},
		{"burst_5xx length", f.Burst5xx.Length}, {"burst_5xx every", f.Burst5xx.Every},
		{"storm_429 length", f.Storm429.Length}, {"storm_429 every", f.Storm429.Every},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %v: negative duration", d.name, d.v))
		}
	}
	switch f.Outage {
	case OutageNone, OutageClose, Outage503:
	default:
		errs = append(errs, fmt.Errorf("outage %q: want %q, %q or none", f.Outage, OutageClose, Outage503))
	}
	return errors.Join(errs...)
}

// faultsJSON is the wire form of Faults on /admin/faults: durations and
// windows as text ("250ms", "5s/30s").
type faultsJSON struct {
	ErrorRate    float64 `json:"error_rate,omitempty"`
	Latency      string  `json:"latency,omitempty"`
	Burst5xx     string  `json:"burst_5xx,omitempty"`
	Storm429     string  `json:"storm_429,omitempty"`
	RetryAfter   string  `json:"retry_after,omitempty"`
	DropConnRate float64 `json:"drop_conn_rate,omitempty"`
	Outage       Outage  `json:"outage,omitempty"`
	SlowRate     float64 `json:"slow_rate,omitempty"`
	SlowDelay    string  `json:"slow_delay,omitempty"`
}

// MarshalJSON writes durations and windows as text.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{
		ErrorRate:    f.ErrorRate,
		Latency:      durationText(f.Latency),
		Burst5xx:     f.Burst5xx.String(),
		Storm429:     f.Storm429.String(),
		RetryAfter:   durationText(f.RetryAfter),
		DropConnRate: f.DropConnRate,
		Outage:       f.Outage,
		SlowRate:     f.SlowRate,
		SlowDelay:    durationText(f.SlowDelay),
	})
}

// UnmarshalJSON reads the form MarshalJSON writes and refuses unknown
// fields, so a misspelt fault is an error rather than silently no fault.
func (f *Faults) UnmarshalJSON(data []byte) error {
	var in faultsJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	out := Faults{ErrorRate: in.ErrorRate, DropConnRate: in.DropConnRate, Outage: in.Outage, SlowRate: in.SlowRate}
	var errs []error
	parse := func(name, text string, dst *time.Duration) {
		if text == "" {
			return
		}
		d, err := time.ParseDuration(text)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		*dst = d
	}
	parse("latency", in.Latency, &out.Latency)
	parse("retry_after", in.RetryAfter, &out.RetryAfter)
	parse("slow_delay", in.SlowDelay, &out.SlowDelay)
	var err error
	if out.Burst5xx, err = ParseWindow(in.Burst5xx); err != nil {
		errs = append(errs, fmt.Errorf("burst_5xx: %w", err))
	}
	if out.Storm429, err = ParseWindow(in.Storm429); err != nil {
		errs = append(errs, fmt.Errorf("storm_429: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	*f = out
	return nil
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}
