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
	flatOpenLLMetryPrompt     = "gen_ai.prompt."
	flatOpenLLMetryCompletion = "gen_ai.completion."
	flatOpenInfInput          = "llm.input_messages."
	flatOpenInfOutput         = "llm.output_messages."
	flatOpenInfPrompts        = "llm.prompts."
	flatOpenInfChoices        = "llm.choices."
)

var flatPrefixes = [...]string{
	flatOpenLLMetryPrompt, flatOpenLLMetryCompletion,
	flatOpenInfInput, flatOpenInfOutput, flatOpenInfPrompts, flatOpenInfChoices,
}

// maxFlatSegments bounds the dotted depth of one flattened key.
const maxFlatSegments = 16

// flattened holds the lists re-assembled from flattened keys, by prefix.
type flattened map[string][]any

// unflatten re-assembles, in one pass over the attributes, every flattened
// list whose prefix is followed by a numeric index. Lists are ordered by
// numeric index (10 after 9); gaps are closed.
func unflatten(attrs pcommon.Map) flattened {
	var roots map[string]map[string]any
	attrs.Range(func(k string, v pcommon.Value) bool {
		for _, p := range flatPrefixes {
			rest, ok := strings.CutPrefix(k, p)
			if !ok {
				continue
			}
			idx, _, _ := strings.Cut(rest, ".")
			if _, isIndex := parseIndex(idx); !isIndex {
				break
			}
			if roots == nil {
				roots = make(map[string]map[string]any, 2)
			}
			root := roots[p]
			if root == nil {
				root = map[string]any{}
				roots[p] = root
			}
			insertFlat(root, rest, toAny(v, 0), 0)
			break
		}
		return true
	})
	if roots == nil {
		return nil
	}
	out := make(flattened, len(roots))
	for p, root := range roots {
		if list, ok := listify(root, 0).([]any); ok {
			out[p] = list
		}
	}
	return out
}

// insertFlat stores val at the dotted path under root.
func insertFlat(root map[string]any, path string, val any, depth int) {
	seg, rest, more := strings.Cut(path, ".")
	if !more || depth >= maxFlatSegments {
		if _, isMap := root[path].(map[string]any); !isMap {
			root[path] = val
		}
		return
	}
	child, ok := root[seg].(map[string]any)
	if !ok {
		child = map[string]any{}
		root[seg] = child
	}
	insertFlat(child, rest, val, depth+1)
}

// listify turns maps whose keys are all indexes into slices ordered by index.
func listify(v any, depth int) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	allIndex := len(m) > 0
	for k, e := range m {
		if depth < maxFlatSegments {
			m[k] = listify(e, depth+1)
		}
		if _, isIndex := parseIndex(k); !isIndex {
			allIndex = false
		}
	}
	if !allIndex {
		return m
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, _ := parseIndex(a)
		ib, _ := parseIndex(b)
		return ia - ib
	})
	list := make([]any, len(keys))
	for i, k := range keys {
		list[i] = m[k]
	}
	return list
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
