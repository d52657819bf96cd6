package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// otherAgents is the agent_id under which agents beyond
// agent_limit.max_reported_agents are summed.
const otherAgents = "_other"

// admission is what the plan-limit state allows for an agent's interactions.
type admission uint8

const (
	// admitSend: the agent is not known to be over the limit.
	admitSend admission = iota
	// admitProbe: the cooldown is over; the caller's first request decides.
	admitProbe
	// admitDrop: the agent is in its cooldown, or another call is probing it.
	admitDrop
)

// agentLimits remembers the agents the plan's agent limit refused, so their
// interactions are dropped without a request until the cooldown ends. The
// state is per agent: a gateway tier routing each agent to one collector keeps
// it consistent.
type agentLimits struct {
	cooldown time.Duration
	now      func() time.Time

	mu     sync.Mutex
	agents map[string]*overLimit
}

type overLimit struct {
	since   time.Time // first refusal of this episode; orders the report
	until   time.Time // end of the current cooldown
	probing bool
	dropped int64 // interactions dropped since `since`
}

func newAgentLimits(cooldown time.Duration, now func() time.Time) *agentLimits {
	return &agentLimits{cooldown: cooldown, now: now, agents: map[string]*overLimit{}}
}

// admit decides whether an agent's interactions may be sent. admitProbe hands
// the caller the only probe; it must end it with refuse, accept or release.
func (l *agentLimits) admit(agent string) admission {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.agents[agent]
	if !ok {
		return admitSend
	}
	if s.probing || l.now().Before(s.until) {
		return admitDrop
	}
	s.probing = true
	return admitProbe
}

// refuse records a 403 agent-limit answer for agent and starts its cooldown.
// It reports whether a new cooldown began, so the caller warns once per
// cooldown even when concurrent calls are refused together.
func (l *agentLimits) refuse(agent string) (newCooldown bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.pruneLocked(now)
	s, ok := l.agents[agent]
	if !ok {
		s = &overLimit{since: now}
		l.agents[agent] = s
	}
	newCooldown = !ok || s.probing || !now.Before(s.until)
	s.until = now.Add(l.cooldown)
	s.probing = false
	return newCooldown
}

// accept forgets agent: the API took its interactions.
func (l *agentLimits) accept(agent string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.agents, agent)
}

// release ends a probe that got neither a refusal nor an acceptance (a
// network error, a 5xx, a rejected request): the next call probes again.
func (l *agentLimits) release(agent string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.agents[agent]; ok {
		s.probing = false
	}
}

// addDropped counts n interactions of agent dropped because of the limit.
func (l *agentLimits) addDropped(agent string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.agents[agent]; ok {
		s.dropped += int64(n)
	}
}

// agentDrops is one line of the per-agent report.
type agentDrops struct {
	agent   string
	dropped int64
}

// report returns the number of agents over the limit, and the interactions
// dropped for each: the maxNamed agents that went over first by name, the
// others summed under otherAgents.
func (l *agentLimits) report(maxNamed int) (agents int, drops []agentDrops) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked(l.now())
	type entry struct {
		agent string
		state overLimit
	}
	entries := make([]entry, 0, len(l.agents))
	for agent, s := range l.agents {
		entries = append(entries, entry{agent, *s})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(a.state.since.Compare(b.state.since), cmp.Compare(a.agent, b.agent))
	})
	var other int64
	for i, e := range entries {
		if i < maxNamed {
			drops = append(drops, agentDrops{e.agent, e.state.dropped})
		} else {
			other += e.state.dropped
		}
	}
	if len(entries) > maxNamed {
		drops = append(drops, agentDrops{otherAgents, other})
	}
	return len(entries), drops
}

// pruneLocked forgets agents whose cooldown ended more than one cooldown ago
// without a probe: they stopped sending, so whether they are still over the
// limit is unknown, and the report must not keep them forever.
func (l *agentLimits) pruneLocked(now time.Time) {
	for agent, s := range l.agents {
		if !s.probing && now.After(s.until.Add(l.cooldown)) {
			delete(l.agents, agent)
		}
	}
}
