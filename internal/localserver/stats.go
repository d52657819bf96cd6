package localserver

import (
	"maps"
	"slices"
	"strconv"
)

// Reason says why a request was refused.
type Reason string

// Reasons of refusal.
const (
	ReasonUnauthorized     Reason = "unauthorized"
	ReasonAgentLimit       Reason = "agent_limit"
	ReasonRateLimited      Reason = "rate_limited"
	ReasonBadRequest       Reason = "bad_request"
	ReasonUnprocessable    Reason = "unprocessable"
	ReasonTooLarge         Reason = "too_large"
	ReasonInjectedFault    Reason = "injected_fault"
	ReasonNotFound         Reason = "not_found"
	ReasonMethodNotAllowed Reason = "method_not_allowed"
	// ReasonClientGone counts requests whose client left while the server
	// held them (added latency).
	ReasonClientGone Reason = "client_gone"
	// ReasonShuttingDown counts requests refused or cut short because the
	// server was closing.
	ReasonShuttingDown Reason = "shutting_down"
)

// Status keys of Totals.RequestsByStatus that are not HTTP status codes.
const (
	// StatusDropped counts connections closed without an answer.
	StatusDropped = "dropped"
	// StatusClientGone counts requests whose client left before the answer.
	StatusClientGone = "client_gone"
)

// Stats is a snapshot of what the server received, served on GET /stats.
// Requests to /stats, /healthz and /admin/faults are not counted.
type Stats struct {
	Totals Totals `json:"totals"`
	// Agents are keyed by agent_id, over all keys.
	Agents map[string]AgentStats `json:"agents"`
	// AdmittedAgents lists, per key name, the agent_ids admitted by the
	// plan, sorted.
	AdmittedAgents map[string][]string `json:"admitted_agents"`
}

// Totals sum over all keys and agents.
type Totals struct {
	// Requests to the API paths, whatever their outcome.
	Requests int64 `json:"requests"`
	// RequestsByStatus is keyed by HTTP status code, StatusDropped or
	// StatusClientGone.
	RequestsByStatus map[string]int64 `json:"requests_by_status"`
	// RejectedRequests counts refused requests by reason.
	RejectedRequests map[Reason]int64 `json:"rejected_requests"`
	// Received counts interactions answered 200, duplicates included.
	Received int64 `json:"received"`
	// Accepted counts distinct interactions answered 200 (Received minus
	// Duplicates).
	Accepted int64 `json:"accepted"`
	// Duplicates counts interactions whose metadata.interaction_id the key
	// had already delivered.
	Duplicates int64 `json:"duplicates"`
	// Verdicts counts the actions of accepted (distinct) interactions.
	Verdicts map[string]int64 `json:"verdicts"`
	// RejectedInteractions counts the interactions of refused requests whose
	// body was decoded, by reason.
	RejectedInteractions map[Reason]int64 `json:"rejected_interactions"`
	// JSONLErrors counts accepted interactions the JSONL file failed to take.
	JSONLErrors int64 `json:"jsonl_errors"`
}

// AgentStats are the counts of one agent_id.
type AgentStats struct {
	Accepted   int64            `json:"accepted"`
	Duplicates int64            `json:"duplicates"`
	Verdicts   map[string]int64 `json:"verdicts"`
	// Rejected counts this agent's interactions in refused requests, by
	// reason.
	Rejected map[Reason]int64 `json:"rejected"`
}

// statsBook accumulates Stats; the Server's mutex guards it.
type statsBook struct {
	totals Totals
	agents map[string]*AgentStats
}

func newStatsBook() statsBook {
	return statsBook{
		totals: Totals{
			RequestsByStatus:     map[string]int64{},
			RejectedRequests:     map[Reason]int64{},
			Verdicts:             map[string]int64{},
			RejectedInteractions: map[Reason]int64{},
		},
		agents: map[string]*AgentStats{},
	}
}

func (b *statsBook) agent(id string) *AgentStats {
	a := b.agents[id]
	if a == nil {
		a = &AgentStats{Verdicts: map[string]int64{}, Rejected: map[Reason]int64{}}
		b.agents[id] = a
	}
	return a
}

// request counts one API request answered with status ("200", "dropped"...).
func (b *statsBook) request(status string) {
	b.totals.Requests++
	b.totals.RequestsByStatus[status]++
}

// rejected counts a refused request and, per agent, its interactions.
func (b *statsBook) rejected(status int, reason Reason, agentIDs []string) {
	b.request(strconv.Itoa(status))
	b.totals.RejectedRequests[reason]++
	for _, id := range agentIDs {
		b.totals.RejectedInteractions[reason]++
		b.agent(id).Rejected[reason]++
	}
}

// received counts one interaction answered 200.
func (b *statsBook) received(agentID, action string, duplicate bool) {
	b.totals.Received++
	a := b.agent(agentID)
	if duplicate {
		b.totals.Duplicates++
		a.Duplicates++
		return
	}
	b.totals.Accepted++
	b.totals.Verdicts[action]++
	a.Accepted++
	a.Verdicts[action]++
}

// snapshot deep-copies the book.
func (b *statsBook) snapshot(keys []*keyState) Stats {
	t := b.totals
	t.RequestsByStatus = maps.Clone(t.RequestsByStatus)
	t.RejectedRequests = maps.Clone(t.RejectedRequests)
	t.Verdicts = maps.Clone(t.Verdicts)
	t.RejectedInteractions = maps.Clone(t.RejectedInteractions)
	s := Stats{Totals: t, Agents: make(map[string]AgentStats, len(b.agents)), AdmittedAgents: map[string][]string{}}
	for id, a := range b.agents {
		c := *a
		c.Verdicts = maps.Clone(a.Verdicts)
		c.Rejected = maps.Clone(a.Rejected)
		s.Agents[id] = c
	}
	for _, k := range keys {
		s.AdmittedAgents[k.cfg.Name] = slices.Sorted(maps.Keys(k.admitted))
	}
	return s
}
