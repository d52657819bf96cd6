package precogxexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAgentLimitsCooldownAndProbe(t *testing.T) {
	clock := newFakeClock()
	l := newAgentLimits(10*time.Minute, clock.Now)

	assert.Equal(t, admitSend, l.admit("a"), "an unknown agent is sent")
	assert.True(t, l.refuse("a"), "the first refusal starts a cooldown")
	assert.False(t, l.refuse("a"), "a concurrent refusal in the same cooldown must not warn again")
	assert.Equal(t, admitDrop, l.admit("a"))

	clock.Advance(10*time.Minute - time.Second)
	assert.Equal(t, admitDrop, l.admit("a"), "still in the cooldown")

	clock.Advance(time.Second)
	assert.Equal(t, admitProbe, l.admit("a"), "the cooldown is over: one probe")
	assert.Equal(t, admitDrop, l.admit("a"), "others keep dropping while the probe runs")
	assert.True(t, l.refuse("a"), "a refused probe starts a new cooldown")
	assert.Equal(t, admitDrop, l.admit("a"))

	clock.Advance(10 * time.Minute)
	assert.Equal(t, admitProbe, l.admit("a"))
	l.release("a") // the probe got a 5xx: undecided
	assert.Equal(t, admitProbe, l.admit("a"), "an undecided probe lets the next call probe")
	l.accept("a")
	assert.Equal(t, admitSend, l.admit("a"), "an accepted probe clears the agent")
	assert.Equal(t, admitSend, l.admit("b"), "agents are independent")
}

func TestAgentLimitsZeroCooldownProbesEveryCall(t *testing.T) {
	clock := newFakeClock()
	l := newAgentLimits(0, clock.Now)
	l.refuse("a")
	assert.Equal(t, admitProbe, l.admit("a"))
	assert.Equal(t, admitDrop, l.admit("a"))
}

func TestAgentLimitsReport(t *testing.T) {
	clock := newFakeClock()
	l := newAgentLimits(time.Minute, clock.Now)
	for i, agent := range []string{"d", "c", "b", "a"} {
		l.refuse(agent)
		l.addDropped(agent, i+1)
		clock.Advance(time.Second)
	}
	l.addDropped("unknown", 5) // not over the limit: ignored

	n, drops := l.report(2)
	assert.Equal(t, 4, n)
	assert.Equal(t, []agentDrops{{"d", 1}, {"c", 2}, {otherAgents, 3 + 4}}, drops,
		"the agents that went over first are named, in that order; the rest are summed")

	_, drops = l.report(0)
	assert.Equal(t, []agentDrops{{otherAgents, 10}}, drops)

	_, drops = l.report(10)
	assert.Len(t, drops, 4)

	l.accept("d")
	n, drops = l.report(1)
	assert.Equal(t, 3, n)
	assert.Equal(t, []agentDrops{{"c", 2}, {otherAgents, 7}}, drops)
}

func TestAgentLimitsForgetsSilentAgents(t *testing.T) {
	clock := newFakeClock()
	l := newAgentLimits(time.Minute, clock.Now)
	l.refuse("gone")
	clock.Advance(2 * time.Minute)
	n, _ := l.report(10)
	assert.Equal(t, 1, n, "kept for one cooldown after its cooldown ended")

	clock.Advance(time.Second)
	n, drops := l.report(10)
	assert.Equal(t, 0, n, "an agent that stopped sending leaves the report")
	assert.Empty(t, drops)
	assert.Equal(t, admitSend, l.admit("gone"))

	l.refuse("probed")
	clock.Advance(time.Hour)
	assert.Equal(t, admitProbe, l.admit("probed"))
	n, _ = l.report(10)
	assert.Equal(t, 1, n, "an agent being probed is never forgotten")
}
