package genai

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// FuzzConvert sets one attribute (key and value chosen by the fuzzer, seeded
// with every attribute of the fixtures and truncated copies of their JSON)
// on every span and event of a fixture, then converts. The conversion must
// not panic and must keep the invariants of checkResult.
func FuzzConvert(f *testing.F) {
	var fixtures []ptrace.Traces
	for _, path := range fixtureFiles(f) {
		fixtures = append(fixtures, readFixture(f, path))
	}
	for i, td := range fixtures {
		seen := map[string]bool{}
		forEachSpan(td, func(s ptrace.Span) {
			s.Attributes().Range(func(k string, v pcommon.Value) bool {
				if seen[k] {
					return true
				}
				seen[k] = true
				val := v.AsString()
				f.Add(uint8(i), k, val, v.Type() != pcommon.ValueTypeStr)
				if len(val) > 2 && (val[0] == '{' || val[0] == '[') {
					f.Add(uint8(i), k, val[:len(val)/2], false) // SDK-truncated JSON
				}
				return true
			})
		})
	}
	f.Fuzz(func(t *testing.T, fixture uint8, key, value string, structured bool) {
		td := ptrace.NewTraces()
		fixtures[int(fixture)%len(fixtures)].CopyTo(td)
		set := func(m pcommon.Map) {
			v := m.PutEmpty(key)
			var raw any
			if structured && json.Unmarshal([]byte(value), &raw) == nil && v.FromRaw(raw) == nil {
				return
			}
			v.SetStr(value)
		}
		forEachSpan(td, func(s ptrace.Span) {
			set(s.Attributes())
			for i := 0; i < s.Events().Len(); i++ {
				set(s.Events().At(i).Attributes())
			}
		})
		checkResult(t, td, Convert(td, Options{MaxFieldBytes: 256}))
	})
}
