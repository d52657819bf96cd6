package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
)

func TestWriteTable(t *testing.T) {
	r := Result{
		Agents:           []agentsim.AgentReport{{AgentID: "a", Traces: 10, Spans: 70}, {AgentID: "b", Traces: 5, Spans: 30, FailedSpans: 2}},
		ReceiverAccepted: 100,
		Tally:            Tally{Expected: 12345, Delivered: 12345, Duplicates: 12, ByConvention: map[agentsim.Convention]int{agentsim.OpenInference: 12345}},
		ServerDuplicates: 12,
		ProcessorDropped: map[string]float64{"not_llm": 55},
		ExporterDropped:  map[string]float64{"no_content": 3, "too_large": 1},
		PeakQueueSize:    3 << 20,
		PeakRSS:          150 << 20,
		Lives:            3,
		RequestsByStatus: map[string]int64{"200": 5, "503": 1},
	}
	var b strings.Builder
	r.WriteTable(&b)
	out := b.String()
	for _, want := range []string{
		"sent by the agents: traces", "15", "2 spans failed",
		"expected interactions", "12,345", "openinference 12,345",
		"lost", "duplicated", "0.10% of expected",
		"dropped on purpose: processor not_llm", "55",
		"dropped on purpose: exporter no_content", "spans that made no interaction",
		"dropped on purpose: exporter too_large", "interactions",
		"3.0 MiB", "150.0 MiB", "3 collector processes", "200: 5, 503: 1",
	} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, 1+1+16, strings.Count(out, "\n"), "header, rule and one line per row:\n%s", out)
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "0", count(0))
	assert.Equal(t, "999", count(999))
	assert.Equal(t, "1,000", count(1000))
	assert.Equal(t, "-1,234,567", count(-1234567))
	assert.Equal(t, "-", bytesText(-1))
	assert.Equal(t, "512 B", bytesText(512))
	assert.Equal(t, "1.5 KiB", bytesText(1536))
	assert.Equal(t, "2.00 GiB", bytesText(2<<30))
	assert.Equal(t, "-1.0 MiB", signedBytes(-(1 << 20)))
	assert.Equal(t, "+0 B", signedBytes(0))
}

func TestParseStatus(t *testing.T) {
	m, err := parseStatus(strings.NewReader("Name:\totelcol\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t12\n"))
	require.NoError(t, err)
	assert.Equal(t, memory{rss: 100 << 20, peak: 200 << 20}, m)

	_, err = parseStatus(strings.NewReader("Name:\tx\n"))
	assert.Error(t, err)
	_, err = parseStatus(strings.NewReader("VmRSS:\tlots kB\n"))
	assert.Error(t, err)
}

func TestLabelValue(t *testing.T) {
	v, ok := labelValue(`otelcol_exporter_precogx_interactions_dropped{otel_scope_name="x",reason="too_large"}`, "reason")
	assert.True(t, ok)
	assert.Equal(t, "too_large", v)
	_, ok = labelValue(`otelcol_exporter_precogx_interactions_sent{otel_scope_name="x"}`, "reason")
	assert.False(t, ok)
}

func TestGrowth(t *testing.T) {
	s := func(min, g int, rss int64) SoakSample {
		return SoakSample{Elapsed: time.Duration(min) * time.Minute, Goroutines: g, RSS: rss, HeapAlloc: float64(rss / 2)}
	}
	samples := []SoakSample{s(1, 200, 50<<20), s(5, 120, 80<<20), s(10, 121, 82<<20), s(30, 119, 81<<20)}
	g, ok := growth(samples, 5*time.Minute)
	require.True(t, ok)
	assert.Equal(t, -1, g.Goroutines)
	assert.Equal(t, int64(1<<20), g.RSS)
	assert.Equal(t, 200, g.MaxGoroutines)
	assert.Equal(t, int64(82<<20), g.MaxRSS)

	_, ok = growth(samples, 31*time.Minute)
	assert.False(t, ok)
	var b strings.Builder
	WriteSoakTable(&b, samples, 5*time.Minute)
	assert.Contains(t, b.String(), "goroutines -1 (120 → 119)")
}

func TestValidate(t *testing.T) {
	ok := Config{CollectorBin: "bin", Configs: []string{"c.yaml"}, WorkDir: "w", Agents: 5, Interactions: 10,
		Schedule: ShortSchedule(), Drain: time.Minute}
	require.NoError(t, ok.validate())
	full := ok
	full.Schedule = FullSchedule()
	require.NoError(t, full.validate())

	for name, mutate := range map[string]func(*Config){
		"no agents":       func(c *Config) { c.Agents = 0 },
		"no schedule":     func(c *Config) { c.Schedule = nil },
		"no interactions": func(c *Config) { c.Interactions = 0 },
		"no drain":        func(c *Config) { c.Drain = 0 },
		"no binary":       func(c *Config) { c.CollectorBin = "" },
		"kill past end":   func(c *Config) { c.Schedule = []Step{{Name: "x", Length: time.Second, KillAt: 2 * time.Second}} },
		"bad fault": func(c *Config) {
			c.Schedule = []Step{{Name: "x", Length: time.Second, Faults: localserver.Faults{DropConnRate: 2}}}
		},
		"soak no rate": func(c *Config) { c.Soak = time.Minute },
	} {
		c := ok
		mutate(&c)
		assert.Error(t, c.validate(), name)
	}
}

// TestFullScheduleCoversEveryFault: the full schedule injects every fault
// the issue lists, a 60-second outage, and kills the collector twice.
func TestFullScheduleCoversEveryFault(t *testing.T) {
	var burst, storm, slow, drop bool
	var outage time.Duration
	nkills := 0
	for _, s := range FullSchedule() {
		f := s.Faults
		burst = burst || f.Burst5xx.Length > 0
		storm = storm || (f.Storm429.Length > 0 && f.RetryAfter > 0)
		slow = slow || (f.SlowRate > 0 && f.SlowDelay > exporterTimeout)
		drop = drop || f.DropConnRate > 0
		if f.Outage != localserver.OutageNone {
			outage = max(outage, s.Length)
		}
		if s.KillAt > 0 {
			nkills++
		}
	}
	assert.True(t, burst && storm && slow && drop && nkills == 2, "burst %v storm %v slow %v drop %v kills %d", burst, storm, slow, drop, nkills)
	assert.GreaterOrEqual(t, outage, time.Minute)
}

func TestWriteHeader(t *testing.T) {
	r := Result{Started: time.Date(2026, 12, 4, 15, 51, 0, 0, time.UTC), Sending: 213 * time.Second, Drain: 4 * time.Second, Kills: 2,
		Schedule: ShortSchedule()[:2]}
	var b strings.Builder
	r.WriteHeader(&b)
	assert.Equal(t, "Run of 2026-12-04 15:51 UTC: agents sent for 3m33s, delivery finished 4s later; the collector was killed with SIGKILL 2 times.\n"+
		"Schedule: steady (4s); 5xx burst (4s).\n", b.String())
	b.Reset()
	r.Kills, r.Soak = 1, 30*time.Minute
	r.WriteHeader(&b)
	assert.Contains(t, b.String(), "SIGKILL once.")
	assert.Contains(t, b.String(), "Soak: 30m0s at a steady rate, no faults.")
}
