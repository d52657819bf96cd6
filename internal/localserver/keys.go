package localserver

import (
	"crypto/subtle"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// keyState is the server-side state of one API key. The Server's mutex
// guards admitted and delivered; limiter locks itself.
type keyState struct {
	cfg     KeyConfig
	limiter *rate.Limiter // nil: unlimited
	// admitted are the agent_ids the plan let in.
	admitted map[string]struct{}
	// delivered maps each metadata.interaction_id received to the
	// interactionId answered, so a duplicate gets the same answer.
	delivered map[string]string
}

func newKeyState(cfg KeyConfig) *keyState {
	r := cfg.Plan.TierRate()
	if cfg.Rate != nil {
		r = *cfg.Rate
	}
	k := &keyState{cfg: cfg, admitted: map[string]struct{}{}, delivered: map[string]string{}}
	if r.PerMinute > 0 {
		burst := r.Burst
		if burst == 0 {
			burst = r.PerMinute
		}
		k.limiter = rate.NewLimiter(rate.Limit(float64(r.PerMinute)/60), burst)
	}
	return k
}

// authenticate returns the key the request carries in x-api-key or in an
// Authorization Bearer header, or nil.
func authenticate(keys []*keyState, h http.Header) *keyState {
	presented := h.Get(precogxapi.HeaderAPIKey)
	if presented == "" {
		scheme, token, ok := strings.Cut(h.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			presented = strings.TrimSpace(token)
		}
	}
	if presented == "" {
		return nil
	}
	for _, k := range keys {
		if subtle.ConstantTimeCompare([]byte(presented), []byte(k.cfg.Key)) == 1 {
			return k
		}
	}
	return nil
}

// allow takes one request from the key's bucket, or reports how long the
// client should wait, in whole seconds, before the bucket has a token again.
func (k *keyState) allow(now time.Time) (ok bool, retryAfter int) {
	if k.limiter == nil {
		return true, 0
	}
	r := k.limiter.ReserveN(now, 1)
	if !r.OK() {
		return false, 60
	}
	delay := r.DelayFrom(now)
	if delay == 0 {
		return true, 0
	}
	r.CancelAt(now)
	return false, ceilSeconds(delay)
}

// admit lets the request's agents in, or refuses the whole request when one
// of them is new and the plan has no room left for all the new ones. Called
// with the Server's mutex held.
func (k *keyState) admit(agentIDs []string) bool {
	var fresh []string
	for _, id := range agentIDs {
		if _, ok := k.admitted[id]; !ok && !slices.Contains(fresh, id) {
			fresh = append(fresh, id)
		}
	}
	limit := k.cfg.Plan.MaxAgents
	if limit > 0 && len(fresh) > 0 && len(k.admitted)+len(fresh) > limit {
		return false
	}
	for _, id := range fresh {
		k.admitted[id] = struct{}{}
	}
	return true
}

// ceilSeconds rounds d up to whole seconds, at least 1, as Retry-After wants.
func ceilSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
