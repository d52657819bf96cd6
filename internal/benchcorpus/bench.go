package benchcorpus

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// Meter measures one benchmark loop; see PerSpan.
type Meter struct {
	b                        *testing.B
	skippedBytes, skippedNum uint64
	skippedCPU               time.Duration
}

// Untimed runs fn with the timer stopped and leaves what it allocates out
// of the figures: preparing inputs (copies of a batch a processor will
// modify) is not what is measured.
func (m *Meter) Untimed(fn func()) {
	m.b.StopTimer()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := processCPU()
	fn()
	m.skippedCPU += processCPU() - cpu
	runtime.ReadMemStats(&after)
	m.skippedBytes += after.TotalAlloc - before.TotalAlloc
	m.skippedNum += after.Mallocs - before.Mallocs
	m.b.StartTimer()
}

// PerSpan runs fn in the benchmark loop and reports the cost per span of
// the spans fn handles each time: ns/span, B/span and allocs/span, beside
// the usual per-op figures. Memory is read around the whole loop, as
// -benchmem does, so the figures include garbage fn leaves behind.
//
// cpu-ns/span is the CPU time the process spent, garbage collection
// included, per span: on a machine shared with other work it stays put
// where wall time (ns/span) grows with the waiting for a core.
func PerSpan(b *testing.B, spans int, fn func(m *Meter)) {
	b.Helper()
	b.ReportAllocs()
	m := &Meter{b: b}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := processCPU()
	n := 0
	for b.Loop() {
		fn(m)
		n++
	}
	cpu = processCPU() - cpu
	runtime.ReadMemStats(&after)
	total := float64(n) * float64(spans)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/span")
	b.ReportMetric(float64((cpu-m.skippedCPU).Nanoseconds())/total, "cpu-ns/span")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc-m.skippedBytes)/total, "B/span")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs-m.skippedNum)/total, "allocs/span")
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
