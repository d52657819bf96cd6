package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

// startTimeout bounds a start of the collector, replaying its queue included.
const startTimeout = 60 * time.Second

// Collector self-metrics the run reads.
const (
	metricQueueSize = "otelcol_exporter_queue_size"
	metricHeap      = "otelcol_process_runtime_heap_alloc_bytes"
)

// collector is the collector under test across its lives: every start uses
// the same ports and the same queue directory.
type collector struct {
	bin     string
	configs []string
	env     []string
	logDir  string

	otlpURL, healthURL, metricsURL, pprofURL string

	mu        sync.Mutex
	cur       *testbed.Collector // nil while it is down
	lives     []*life
	peakQueue float64
}

// life is one process of the collector: what was last read of it.
type life struct {
	pid     int
	metrics testbed.Metrics
	mem     memory
}

func newCollector(cfg *Config, endpoint, apiKey string) (*collector, error) {
	ports, err := testbed.FreePorts(5)
	if err != nil {
		return nil, err
	}
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	return &collector{
		bin:     cfg.CollectorBin,
		configs: cfg.Configs,
		logDir:  cfg.WorkDir,
		env: []string{
			"PRECOGX_ENDPOINT=" + endpoint,
			"PRECOGX_API_KEY=" + apiKey,
			"PRECOGX_QUEUE_DIR=" + filepath.Join(cfg.WorkDir, "queue"),
			"OTLP_HTTP_ENDPOINT=" + addr(ports[0]),
			"OTLP_GRPC_ENDPOINT=" + addr(ports[1]),
			"HEALTH_ENDPOINT=" + addr(ports[2]),
			"METRICS_HOST=127.0.0.1",
			"METRICS_PORT=" + strconv.Itoa(ports[3]),
			"PPROF_PORT=" + strconv.Itoa(ports[4]),
		},
		otlpURL:    "http://" + addr(ports[0]),
		healthURL:  "http://" + addr(ports[2]) + "/",
		metricsURL: "http://" + addr(ports[3]) + "/metrics",
		pprofURL:   "http://" + addr(ports[4]) + "/debug/pprof/goroutine?debug=1",
	}, nil
}

// start starts a new life and waits for its health check.
func (c *collector) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		return errors.New("the collector is already running")
	}
	p, err := testbed.StartCollectorConfigs(c.bin, c.configs, c.env)
	if err != nil {
		return err
	}
	if err := p.WaitHTTP(c.healthURL, startTimeout); err != nil {
		p.Kill()
		c.saveLog(len(c.lives), p)
		return err
	}
	c.cur = p
	c.lives = append(c.lives, &life{pid: p.PID()})
	return nil
}

// sample reads the metrics and memory of the running collector, if any.
func (c *collector) sample(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sampleLocked(ctx)
}

func (c *collector) sampleLocked(ctx context.Context) {
	if c.cur == nil {
		return
	}
	l := c.lives[len(c.lives)-1]
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if m, err := testbed.ScrapeMetrics(ctx, c.metricsURL); err == nil {
		l.metrics = m
		c.peakQueue = max(c.peakQueue, m.Sum(metricQueueSize, `exporter="precogx"`))
	}
	if mem, err := readMemory(l.pid); err == nil {
		l.mem = mem
	}
}

// kill samples the collector one last time and kills it with SIGKILL.
func (c *collector) kill(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		return errors.New("the collector is not running")
	}
	c.sampleLocked(ctx)
	c.cur.Kill()
	c.saveLog(len(c.lives)-1, c.cur)
	c.cur = nil
	return nil
}

// stop samples the collector and stops it cleanly (SIGTERM).
func (c *collector) stop(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		return nil
	}
	c.sampleLocked(ctx)
	err := c.cur.Stop(30 * time.Second)
	c.saveLog(len(c.lives)-1, c.cur)
	c.cur = nil
	return err
}

// saveLog keeps a life's output in the work directory, for the post-mortem.
func (c *collector) saveLog(n int, p *testbed.Collector) {
	_ = os.WriteFile(filepath.Join(c.logDir, fmt.Sprintf("collector-%d.log", n+1)), []byte(p.Log()), 0o644)
}

// total sums a metric over every life: each life's counters start at zero.
func (c *collector) total(name string, labels ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum float64
	for _, l := range c.lives {
		sum += l.metrics.Sum(name, labels...)
	}
	return sum
}

// byLabel sums a metric over every life, by the value of one label.
func (c *collector) byLabel(name, label string) map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]float64{}
	for _, l := range c.lives {
		for series, v := range l.metrics {
			if series != name && !strings.HasPrefix(series, name+"{") {
				continue
			}
			if value, ok := labelValue(series, label); ok {
				out[value] += v
			}
		}
	}
	return out
}

// labelValue reads label="value" from a series as Prometheus prints it.
func labelValue(series, label string) (string, bool) {
	_, rest, ok := strings.Cut(series, label+`="`)
	if !ok {
		return "", false
	}
	value, _, ok := strings.Cut(rest, `"`)
	return value, ok
}

// peakRSS is the highest VmHWM of any life, in bytes.
func (c *collector) peakRSS() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var peak int64
	for _, l := range c.lives {
		peak = max(peak, l.mem.peak)
	}
	return peak
}

func (c *collector) peakQueueSize() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peakQueue
}

// current returns the last reading of the running life; ok is false while
// the collector is down.
func (c *collector) current() (l life, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		return life{}, false
	}
	return *c.lives[len(c.lives)-1], true
}

// goroutines reads the goroutine count from the pprof extension.
func (c *collector) goroutines(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.pprofURL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	first, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		return 0, err
	}
	// "goroutine profile: total 123"
	_, n, ok := strings.Cut(strings.TrimSpace(first), "total ")
	if !ok {
		return 0, fmt.Errorf("unexpected goroutine profile header %q", first)
	}
	return strconv.Atoi(n)
}
