package main

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
)

// micro holds the results of `go test -bench` runs: for each benchmark (name
// without the GOMAXPROCS suffix), each unit's values over the counts.
type micro map[string]map[string][]float64

func readMicro(path string) (micro, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := micro{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		if m[name] == nil {
			m[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			m[name][fields[i+1]] = append(m[name][fields[i+1]], v)
		}
	}
	return m, sc.Err()
}

// median returns the median of a benchmark's unit, and whether it was measured.
func (m micro) median(name, unit string) (float64, bool) {
	vs := slices.Clone(m[name][unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// names lists the benchmarks with a prefix, by content size, "all" first
// within a size.
func (m micro) names(prefix string) []string {
	var out []string
	for n := range m {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		ka, kb := sortKey(a), sortKey(b)
		return strings.Compare(ka, kb)
	})
	return out
}

// sortKey orders sizes by size and puts "all" before the conventions.
func sortKey(name string) string {
	r := strings.NewReplacer("/1KiB", "/a1KiB", "/8KiB", "/b8KiB", "/64KiB", "/c64KiB", "/all", "/ all")
	return r.Replace(name)
}
