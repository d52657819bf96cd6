package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Prefixes of the flattened lists that OpenLLMetry and OpenInference explode
// into one attribute per leaf (gen_ai.prompt.0.role, llm.input_messages.1.message.content, ...).
const (
	flatOpenLLMetryPrompt = iota
	flatOpenLLMetryCompletion
	flatOpenInfInput
	flatOpenInfOutput
	flatOpenInfPrompts
	flatOpenInfChoices
	numFlatPrefixes
)

var flatPrefixes = [numFlatPrefixes]string{
	flatOpenLLMetryPrompt:     "gen_ai.prompt.",
	flatOpenLLMetryCompletion: "gen_ai.completion.",
	flatOpenInfInput:          "llm.input_messages.",
	flatOpenInfOutput:         "llm.output_messages.",
	flatOpenInfPrompts:        "llm.prompts.",
	flatOpenInfChoices:        "llm.choices.",
}

// maxFlatSegments bounds the dotted depth of one flattened key.
const maxFlatSegments = 16

// flattened holds the lists re-assembled from flattened keys, by prefix
// (absent values where a span has none).
type flattened [numFlatPrefixes]value

// gather adds one attribute to the lists when its key is a prefix followed
// by a numeric index, and reports whether it did; it is called for every
// attribute in the span's one pass over its attributes.
func (f *flattened) gather(t *tree, k string, v pcommon.Value) bool {
	for p, prefix := range flatPrefixes {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		idx, _, _ := strings.Cut(rest, ".")
		if _, isIndex := parseIndex(idx); !isIndex {
			return false
		}
		if !f[p].present() {
			f[p] = t.val(t.add(node{kind: vObject}))
		}
		t.insertFlat(f[p].i, rest, t.fromPdata(v, 0).i, 0)
		return true
	}
	return false
}

// finish orders every list by numeric index (10 after 9), closing gaps.
func (f *flattened) finish(t *tree) {
	for p := range f {
		if f[p].present() {
			t.listify(f[p].i, 0)
		}
	}
}

// insertFlat stores val at the dotted path under the object root: a leaf
// replaces a value but not an object; a path through a value replaces it
// with an object.
func (t *tree) insertFlat(root int32, path string, val int32, depth int) {
	seg, rest, more := strings.Cut(path, ".")
	if !more || depth >= maxFlatSegments {
		switch m := t.member(root, path); {
		case m < 0:
			t.appendMember(root, path, val)
		case t.nodes[m].kind != vObject:
			t.replace(m, val)
		}
		return
	}
	child := t.member(root, seg)
	switch {
	case child < 0:
		child = t.add(node{kind: vObject})
		t.appendMember(root, seg, child)
	case t.nodes[child].kind != vObject:
		t.replace(child, t.add(node{kind: vObject}))
	}
	t.insertFlat(child, rest, val, depth+1)
}

// member finds a child of an object built by insertFlat (keys are unique).
func (t *tree) member(obj int32, key string) int32 {
	for c := t.nodes[obj].first; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].key == key {
			return c
		}
	}
	return -1
}

func (t *tree) appendMember(obj int32, key string, child int32) {
	t.nodes[child].key = key
	last := t.nodes[obj].first
	if last < 0 {
		t.nodes[obj].first = child
	} else {
		for t.nodes[last].next >= 0 {
			last = t.nodes[last].next
		}
		t.nodes[last].next = child
	}
	t.nodes[obj].n++
}

// replace puts node src's value in place of member m.
func (t *tree) replace(m, src int32) {
	key, next := t.nodes[m].key, t.nodes[m].next
	t.nodes[m] = t.nodes[src]
	t.nodes[m].key, t.nodes[m].next = key, next
}

// listify turns objects whose keys are all indexes into arrays ordered by index.
func (t *tree) listify(obj int32, depth int) {
	if t.nodes[obj].kind != vObject {
		return
	}
	allIndex := t.nodes[obj].n > 0
	for c := t.nodes[obj].first; c >= 0; c = t.nodes[c].next {
		if depth < maxFlatSegments {
			t.listify(c, depth+1)
		}
		if _, isIndex := parseIndex(t.nodes[c].key); !isIndex {
			allIndex = false
		}
	}
	if !allIndex {
		return
	}
	start := len(t.scratch)
	for c := t.nodes[obj].first; c >= 0; c = t.nodes[c].next {
		t.scratch = append(t.scratch, c)
	}
	children := t.scratch[start:]
	slices.SortFunc(children, func(a, b int32) int {
		ia, _ := parseIndex(t.nodes[a].key)
		ib, _ := parseIndex(t.nodes[b].key)
		return ia - ib
	})
	for i, c := range children {
		if i+1 < len(children) {
			t.nodes[c].next = children[i+1]
		} else {
			t.nodes[c].next = -1
		}
	}
	t.nodes[obj].first = children[0]
	t.nodes[obj].kind = vArray
	t.scratch = t.scratch[:start]
}

// parseIndex parses a list index segment (at most 9 digits).
func parseIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
