package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// memory is a process's resident set from /proc/<pid>/status, in bytes.
type memory struct {
	rss  int64 // VmRSS: now
	peak int64 // VmHWM: the high-water mark since the process started
}

// readMemory reads the memory figures of pid.
func readMemory(pid int) (memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	defer f.Close()
	return parseStatus(f)
}

func parseStatus(r io.Reader) (memory, error) {
	var m memory
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &m.rss
		case "VmHWM":
			dst = &m.peak
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %w", key, err)
		}
		*dst = kb << 10
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if m.rss == 0 && m.peak == 0 {
		return m, errors.New("no VmRSS or VmHWM in the process status")
	}
	return m, nil
}
