package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrSet is one attribute map, read in one pass into a slot per attrKey.
// As pcommon.Map.Get, the first of duplicate keys wins. The values live in
// the tree's attrVals; slot holds their position plus one.
type attrSet struct {
	m    pcommon.Map
	t    *tree
	read bool
	slot [numAttrKeys]uint8
	base int
}

// reset points the set at m, to be read on first use.
func (s *attrSet) reset(m pcommon.Map, t *tree) {
	s.m, s.t, s.read, s.slot = m, t, false, [numAttrKeys]uint8{}
}

// load reads the attributes into their slots; other keys go to other, when
// set (the flattened lists of flatten.go are gathered in the same pass).
func (s *attrSet) load(other func(k string, v pcommon.Value)) {
	if s.read {
		return
	}
	s.read = true
	s.base = len(s.t.attrVals)
	n := uint8(0)
	s.m.Range(func(k string, v pcommon.Value) bool {
		if key, ok := attrKeyOf[k]; ok {
			if s.slot[key] == 0 {
				s.t.attrVals = append(s.t.attrVals, v)
				n++
				s.slot[key] = n
			}
		} else if other != nil {
			other(k, v)
		}
		return true
	})
}

func (s *attrSet) get(k attrKey) (pcommon.Value, bool) {
	s.load(nil)
	i := s.slot[k]
	if i == 0 {
		return pcommon.Value{}, false
	}
	return s.t.attrVals[s.base+int(i)-1], true
}

// str returns a scalar attribute as text ("" when absent or structured).
func (s *attrSet) str(k attrKey) string {
	v, ok := s.get(k)
	if !ok {
		return ""
	}
	return scalarText(v)
}

func scalarText(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
		return v.AsString()
	}
	return ""
}

// ident reads a name or id attribute: trimmed, and unquoted when the SDK
// JSON-encoded it (MLflow writes "gpt-4o" with its quotes).
func (s *attrSet) ident(k attrKey) string {
	return strings.TrimSpace(unquoteJSON(strings.TrimSpace(s.str(k))))
}

// first returns the first non-blank ident of keys, in precedence order.
func (s *attrSet) first(keys []attrKey) string {
	s.load(nil)
	for _, k := range keys {
		if s.slot[k] == 0 {
			continue // absent: most keys of most lists
		}
		if v := s.ident(k); v != "" {
			return v
		}
	}
	return ""
}
