package loadbench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// procCPU returns the user and system CPU time of process pid so far, from
// /proc/<pid>/stat (fields 14 and 15; the command name in field 2 may hold
// spaces, so fields are counted after its closing parenthesis).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	d, err := parseStatCPU(data)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return d, nil
}

func parseStatCPU(data []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("no command name")
	}
	fields := strings.Fields(string(data[i+1:]))
	// fields[0] is field 3 (state); utime is field 14, stime field 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("%d fields", len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad times")
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// procMemory returns the resident set size and its peak (VmRSS, VmHWM) of
// process pid, in bytes, from /proc/<pid>/status.
func procMemory(pid int) (rss, peak int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(rest) // "12345 kB"
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("/proc/%d/status: %s: %q", pid, key, rest)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	if rss == 0 || peak == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status: no VmRSS/VmHWM", pid)
	}
	return rss, peak, nil
}

// machineCPU returns the CPU time all processes of the machine have used
// so far (every CPU's user, nice, system, irq, softirq and steal time, from
// the first line of /proc/stat).
func machineCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}

// cpuMeter reads, over a window, the CPU time of the collector, of this
// process (load generator and sinks) and of everything else on the machine.
type cpuMeter struct {
	pid                      int
	collector, self, machine time.Duration
}

func startCPUMeter(pid int) (*cpuMeter, error) {
	m := &cpuMeter{pid: pid}
	var err error
	if m.collector, err = procCPU(pid); err != nil {
		return nil, err
	}
	if m.self, err = procCPU(os.Getpid()); err != nil {
		return nil, err
	}
	if m.machine, err = machineCPU(); err != nil {
		return nil, err
	}
	return m, nil
}

// stop returns the CPU time used since start by the collector, by this
// process, and by all other processes of the machine.
func (m *cpuMeter) stop() (collector, self, others time.Duration, err error) {
	c, err := procCPU(m.pid)
	if err != nil {
		return 0, 0, 0, err
	}
	s, err := procCPU(os.Getpid())
	if err != nil {
		return 0, 0, 0, err
	}
	all, err := machineCPU()
	if err != nil {
		return 0, 0, 0, err
	}
	collector, self = c-m.collector, s-m.self
	return collector, self, max(0, all-m.machine-collector-self), nil
}
