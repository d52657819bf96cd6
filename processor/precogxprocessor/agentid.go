package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// dropReason says why an item was dropped; keep means it was not.
type dropReason uint8

const (
	keep            dropReason = iota
	dropNotSelected            // not an LLM/tool/agent span, or not a GenAI event
	dropNoAgentID
	dropNotAllowed
	dropRandomAgentID
	numDropReasons
)

// agentIDResolver finds the agent an item belongs to and applies the rename,
// default, allow and random-id rules of the configuration.
type agentIDResolver struct {
	from       []string
	rename     map[string]string
	fallback   string
	allow      map[string]struct{} // nil lets every agent through
	dropRandom bool
	random     *randomIDLog
}

func newAgentIDResolver(cfg AgentIDConfig, random *randomIDLog) *agentIDResolver {
	r := &agentIDResolver{
		from:       cfg.From,
		rename:     cfg.Rename,
		fallback:   cfg.Default,
		dropRandom: cfg.RandomIDs == RandomIDsDrop,
		random:     random,
	}
	if len(cfg.Allow) > 0 {
		r.allow = make(map[string]struct{}, len(cfg.Allow))
		for _, id := range cfg.Allow {
			r.allow[id] = struct{}{}
		}
	}
	return r
}

// resolve returns the agent id of an item with the given attributes and
// resource attributes, or why the item must be dropped. memo lives for one
// batch.
func (r *agentIDResolver) resolve(ctx context.Context, attrs, resAttrs pcommon.Map, memo *verdictMemo) (string, dropReason) {
	found := r.lookup(attrs, resAttrs)
	if found == "" {
		if r.fallback == "" {
			return "", dropNoAgentID
		}
		return r.fallback, keep // Validate made sure it is allowed.
	}
	id, renamed := r.rename[found]
	if !renamed {
		id = found
	}
	if r.allow != nil {
		if _, ok := r.allow[id]; !ok {
			return "", dropNotAllowed
		}
		return id, keep // listed ids are trusted, random-looking or not
	}
	if renamed {
		return id, keep // a rename target is chosen, not generated
	}
	random, first := memo.judge(id)
	if !random {
		return id, keep
	}
	if first {
		r.random.report(ctx, id, r.dropRandom)
	}
	if r.dropRandom {
		return "", dropRandomAgentID
	}
	return id, keep
}

// verdictMemo remembers the verdict on the last id judged in a batch: the
// items of a batch mostly share their agent, and judging is the costliest step.
type verdictMemo struct {
	id     string
	random bool
	valid  bool
}

// judge returns whether id looks random, and whether it differs from the id
// judged before.
func (m *verdictMemo) judge(id string) (random, first bool) {
	if m.valid && m.id == id {
		return m.random, false
	}
	m.id, m.random, m.valid = id, looksRandom(id), true
	return m.random, true
}

// lookup returns the first non-empty string value of the configured keys,
// each looked up on the item, then on its resource.
func (r *agentIDResolver) lookup(attrs, resAttrs pcommon.Map) string {
	for _, key := range r.from {
		if v := stringAttr(attrs, key); v != "" {
			return v
		}
		if v := stringAttr(resAttrs, key); v != "" {
			return v
		}
	}
	return ""
}

func stringAttr(m pcommon.Map, key string) string {
	v, ok := m.Get(key)
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return strings.TrimSpace(v.Str())
}
