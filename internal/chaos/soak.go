package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// SoakSample is one reading of the collector during a soak; -1 marks a
// figure that could not be read.
type SoakSample struct {
	Elapsed    time.Duration
	Goroutines int
	RSS        int64   // bytes, VmRSS
	HeapAlloc  float64 // bytes held on the Go heap (otelcol_process_runtime_heap_alloc_bytes)
	QueueSize  float64 // bytes
	Delivered  int64
}

func (r *runner) soakSample(ctx context.Context) SoakSample {
	s := SoakSample{Elapsed: time.Since(r.start), Goroutines: -1, RSS: -1, HeapAlloc: -1, QueueSize: -1}
	if n, err := r.col.goroutines(ctx); err == nil {
		s.Goroutines = n
	}
	if l, up := r.col.current(); up {
		s.RSS = l.mem.rss
		s.HeapAlloc = l.metrics.Sum(metricHeap)
		s.QueueSize = l.metrics.Sum(metricQueueSize, `exporter="precogx"`)
	}
	s.Delivered = r.server.Stats().Totals.Accepted
	fmt.Fprintf(r.out, "[%4.0fs]   soak: %d goroutines, RSS %s, heap %s, queue %s, %d delivered\n",
		s.Elapsed.Seconds(), s.Goroutines, bytesText(float64(s.RSS)), bytesText(s.HeapAlloc), bytesText(s.QueueSize), s.Delivered)
	return s
}

// Growth compares the last sample with the first one taken after warmUp:
// the change in goroutines, RSS and heap over the steady part of a soak.
type Growth struct {
	From, To               SoakSample
	Goroutines             int
	RSS                    int64
	HeapAlloc              float64
	MaxGoroutines          int
	MaxRSS                 int64
	MaxHeapAlloc, MaxQueue float64
}

// growth returns false when no sample follows warmUp.
func growth(samples []SoakSample, warmUp time.Duration) (Growth, bool) {
	var g Growth
	first := -1
	for i, s := range samples {
		if s.Elapsed >= warmUp && first < 0 {
			first = i
		}
		g.MaxGoroutines = max(g.MaxGoroutines, s.Goroutines)
		g.MaxRSS = max(g.MaxRSS, s.RSS)
		g.MaxHeapAlloc = max(g.MaxHeapAlloc, s.HeapAlloc)
		g.MaxQueue = max(g.MaxQueue, s.QueueSize)
	}
	if first < 0 || first == len(samples)-1 {
		return g, false
	}
	g.From, g.To = samples[first], samples[len(samples)-1]
	g.Goroutines = g.To.Goroutines - g.From.Goroutines
	g.RSS = g.To.RSS - g.From.RSS
	g.HeapAlloc = g.To.HeapAlloc - g.From.HeapAlloc
	return g, true
}

// WriteSoakTable prints every sample, then the growth after warmUp.
func WriteSoakTable(out io.Writer, samples []SoakSample, warmUp time.Duration) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "elapsed\tgoroutines\tRSS\theap in use\tqueue\tdelivered\t")
	for _, s := range samples {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t\n", s.Elapsed.Round(time.Second), s.Goroutines,
			bytesText(float64(s.RSS)), bytesText(s.HeapAlloc), bytesText(s.QueueSize), s.Delivered)
	}
	_ = tw.Flush()
	g, ok := growth(samples, warmUp)
	if !ok {
		fmt.Fprintf(out, "\nNo sample after the %s warm-up: no growth to report.\n", warmUp)
		return
	}
	fmt.Fprintf(out, "\nFrom %s to %s: goroutines %+d (%d → %d), RSS %s (%s → %s), heap in use %s (%s → %s).\n",
		g.From.Elapsed.Round(time.Second), g.To.Elapsed.Round(time.Second),
		g.Goroutines, g.From.Goroutines, g.To.Goroutines,
		signedBytes(float64(g.RSS)), bytesText(float64(g.From.RSS)), bytesText(float64(g.To.RSS)),
		signedBytes(g.HeapAlloc), bytesText(g.From.HeapAlloc), bytesText(g.To.HeapAlloc))
	fmt.Fprintf(out, "Highest: %d goroutines, RSS %s, heap in use %s, queue %s.\n",
		g.MaxGoroutines, bytesText(float64(g.MaxRSS)), bytesText(g.MaxHeapAlloc), bytesText(g.MaxQueue))
}
