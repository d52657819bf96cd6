package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// gatewayHeader carries each gateway's name to PrecogX
// (testdata/scaleout-gateway.yaml).
const gatewayHeader = "X-Gateway"

const (
	startTimeout = 30 * time.Second
	stopGrace    = 15 * time.Second
)

// precogx is the local PrecogX stand-in, served through Origins so that it
// books every request by the gateway that sent it.
type precogx struct {
	*localserver.Server
	origins *localserver.Origins
	http    *http.Server
	url     string
}

func startPrecogx(cfg localserver.Config) (*precogx, error) {
	s, err := localserver.New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	p := &precogx{Server: s, origins: localserver.NewOrigins(s, gatewayHeader), url: "http://" + ln.Addr().String()}
	p.http = &http.Server{Handler: p.origins, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.http.Serve(ln) }()
	return p, nil
}

func (p *precogx) close() {
	_ = p.Server.Close() // first: it wakes held requests
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.http.Shutdown(ctx)
}

// collector is one collector process with the ports it was given.
type collector struct {
	*testbed.Collector
	metricsURL string
}

// startCollector runs bin with config, free HEALTH_PORT and METRICS_PORT,
// and env, and waits for its health check.
func startCollector(bin, config string, env map[string]string) (*collector, error) {
	ports, err := testbed.FreePorts(2)
	if err != nil {
		return nil, err
	}
	vars := []string{"HEALTH_PORT=" + strconv.Itoa(ports[0]), "METRICS_PORT=" + strconv.Itoa(ports[1])}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	c, err := testbed.StartCollector(bin, config, vars)
	if err != nil {
		return nil, err
	}
	if err := c.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/", ports[0]), startTimeout); err != nil {
		c.Kill()
		return nil, err
	}
	return &collector{Collector: c, metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[1])}, nil
}

// gateway is one collector of the gateway tier; its OTLP/gRPC port and its
// storage directory stay the same across a restart.
type gateway struct {
	name string
	addr string
	bin  string
	conf string
	env  map[string]string
	col  *collector
	// restarts counts the starts after the first.
	restarts int
	// before holds the metrics of earlier runs of this gateway, read just
	// before each was killed.
	before testbed.Metrics
}

func startGateway(bin, configDir, storage, name, precogxURL, apiKey string) (*gateway, error) {
	ports, err := testbed.FreePorts(1)
	if err != nil {
		return nil, err
	}
	g := &gateway{
		name: name,
		addr: "127.0.0.1:" + strconv.Itoa(ports[0]),
		bin:  bin,
		conf: filepath.Join(configDir, "scaleout-gateway.yaml"),
		env: map[string]string{
			"OTLP_GRPC_PORT":   strconv.Itoa(ports[0]),
			"GATEWAY_NAME":     name,
			"STORAGE_DIR":      filepath.Join(storage, name),
			"PRECOGX_ENDPOINT": precogxURL,
			"PRECOGX_API_KEY":  apiKey,
		},
		before: testbed.Metrics{},
	}
	return g, g.start()
}

func (g *gateway) start() error {
	c, err := startCollector(g.bin, g.conf, g.env)
	if err != nil {
		return fmt.Errorf("gateway %s: %w", g.name, err)
	}
	if g.col != nil {
		g.restarts++
	}
	g.col = c
	return nil
}

// kill ends the gateway with SIGKILL, as a crash would, keeping the metrics
// it had a moment before.
func (g *gateway) kill(ctx context.Context) {
	if m, err := testbed.ScrapeMetrics(ctx, g.col.metricsURL); err == nil {
		for k, v := range m {
			g.before[k] += v
		}
	}
	g.col.Kill()
}

// metrics are the gateway's counters over all its runs.
func (g *gateway) metrics(ctx context.Context) testbed.Metrics {
	m, err := testbed.ScrapeMetrics(ctx, g.col.metricsURL)
	if err != nil {
		m = testbed.Metrics{}
	}
	for k, v := range g.before {
		m[k] += v
	}
	return m
}

func startAgentTier(bin, configDir string, otlpPort int, gateways []*gateway) (*collector, error) {
	addrs := make([]string, len(gateways))
	for i, g := range gateways {
		addrs[i] = g.addr
	}
	c, err := startCollector(bin, filepath.Join(configDir, "scaleout-agent-tier.yaml"), map[string]string{
		"OTLP_HTTP_PORT": strconv.Itoa(otlpPort),
		"GATEWAYS":       "[" + strings.Join(addrs, ", ") + "]",
	})
	if err != nil {
		return nil, fmt.Errorf("agent tier: %w", err)
	}
	return c, nil
}
