package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// maxHops bounds every walk along parent links, so malformed input (parent
// cycles, absurdly deep traces) cannot loop.
const maxHops = 256

// batch indexes the spans of one Convert call. Batches are pooled: the
// views, drafts, the value tree and the maps are reused from call to call,
// so a conversion allocates little beyond the interactions it returns.
type batch struct {
	t         *tree
	views     []*spanView
	slab      []spanView // the views' storage
	resources []resourceView
	byRef     map[SpanRef]*spanView
	children  map[SpanRef][]*spanView // built on first use

	drafts  chunked[draft]
	calls   chunked[draftCall]
	entries []*draft
	draftOf map[SpanRef]*draft
	fedBack map[callKey]string // tool results fed back to models, by call id
	// agentFedBack holds the same results by agent and call id: an SDK
	// instrumented alone (no agent span) records each model call as its own
	// trace, so a call and the result fed back in the next call meet only
	// here. Provider call ids are unique, so the match is safe.
	agentFedBack map[agentCallKey]string
	byID         map[callKey]*draftCall
	owner        map[*draftCall]*draft
	batchOf      map[string]int

	out outSlabs
}

var batchPool = sync.Pool{New: func() any {
	return &batch{
		byRef: map[SpanRef]*spanView{}, children: map[SpanRef][]*spanView{}, draftOf: map[SpanRef]*draft{},
		fedBack: map[callKey]string{}, agentFedBack: map[agentCallKey]string{}, byID: map[callKey]*draftCall{}, owner: map[*draftCall]*draft{},
		batchOf: map[string]int{},
	}
}}

// maxPooledSpans keeps a batch that once held a huge request from staying
// in the pool.
const maxPooledSpans = 1 << 14

func newBatch(td ptrace.Traces) *batch {
	b := batchPool.Get().(*batch)
	b.t = getTree()
	n := td.SpanCount()
	if cap(b.slab) < n {
		b.slab = make([]spanView, n)
	}
	b.slab = b.slab[:n]
	rss := td.ResourceSpans()
	if cap(b.resources) < rss.Len() {
		b.resources = make([]resourceView, rss.Len())
	}
	b.resources = b.resources[:rss.Len()]
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		rv := &b.resources[i]
		rv.res = rs.Resource()
		rv.attrs.reset(rs.Resource().Attributes(), b.t)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				v := &b.slab[len(b.views)]
				*v = spanView{
					span:   span,
					t:      b.t,
					res:    rv,
					scope:  ss.Scope(),
					ref:    SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()},
					parent: SpanRef{TraceID: span.TraceID(), SpanID: span.ParentSpanID()},
					order:  len(b.views),
				}
				v.attrs.reset(span.Attributes(), b.t)
				v.kind = kindOf(span)
				v.agentID = agentIDOf(span, rs.Resource())
				b.views = append(b.views, v)
				if _, dup := b.byRef[v.ref]; !dup {
					b.byRef[v.ref] = v
				}
			}
		}
	}
	return b
}

// release returns the batch to the pool. Nothing of it may be used after.
func (b *batch) release() {
	putTree(b.t)
	if len(b.slab) > maxPooledSpans {
		return
	}
	clear(b.slab)
	clear(b.resources)
	clear(b.views)
	b.drafts.reset()
	b.calls.reset()
	clear(b.entries)
	clear(b.byRef)
	clear(b.children)
	clear(b.draftOf)
	clear(b.fedBack)
	clear(b.agentFedBack)
	clear(b.byID)
	clear(b.owner)
	clear(b.batchOf)
	*b = batch{
		views: b.views[:0], slab: b.slab[:0], resources: b.resources[:0], drafts: b.drafts,
		calls: b.calls, entries: b.entries[:0],
		byRef: b.byRef, children: b.children, draftOf: b.draftOf, fedBack: b.fedBack, agentFedBack: b.agentFedBack, byID: b.byID,
		owner: b.owner, batchOf: b.batchOf,
	}
	batchPool.Put(b)
}

// kindOf prefers the processor's verdict (precogx.kind) over classifying again.
func kindOf(span ptrace.Span) Kind {
	if v, ok := span.Attributes().Get(AttrKind); ok {
		if k := ParseKind(v.Str()); k != KindOther {
			return k
		}
	}
	return classify(span)
}

// walkUp calls fn on v and then on each ancestor present in the batch,
// nearest first, until fn returns false.
func (b *batch) walkUp(v *spanView, fn func(*spanView) bool) {
	for hops := 0; v != nil && hops < maxHops; hops++ {
		if !fn(v) || v.parent.SpanID.IsEmpty() {
			return
		}
		next := b.byRef[v.parent]
		if next == v {
			return
		}
		v = next
	}
}

// walkDescendants calls fn on v's descendants in the batch, breadth first,
// until fn returns false.
func (b *batch) walkDescendants(v *spanView, fn func(*spanView) bool) {
	if len(b.children) == 0 {
		for _, c := range b.views {
			if !c.parent.SpanID.IsEmpty() && c.parent != c.ref {
				b.children[c.parent] = append(b.children[c.parent], c)
			}
		}
	}
	queue := slices.Clone(b.children[v.ref])
	for visited := 0; len(queue) > 0 && visited < maxHops*4; visited++ {
		c := queue[0]
		queue = queue[1:]
		if !fn(c) {
			return
		}
		queue = append(queue, b.children[c.ref]...)
	}
}

// draft is an interaction under construction.
type draft struct {
	view     *spanView
	kind     Kind
	prompt   string
	response string
	cot      string
	system   string
	calls    few[*draftCall]
	meta     precogxapi.Metadata
	conv     string
	sources  few[SpanRef]
	merged   bool // folded into a descendant LLM call (dedup)
}

// draftCall is one tool call of a draft. Arguments and result are
// rendered as soon as they are found: the values they come from live in
// the tree of one span, which is reused for the next.
type draftCall struct {
	id, name  string
	params    json.RawMessage // nil until arguments are found
	result    string
	hasResult bool
	executed  bool // a tool-execution span was folded into it
}

// setArgs renders arguments found for the call.
func (c *draftCall) setArgs(out *outSlabs, args value) {
	if !args.isNil() {
		c.params = out.params(args)
	}
}

// parameters are the rendered arguments, {} when none were found.
func (c *draftCall) parameters() json.RawMessage {
	if c.params == nil {
		return json.RawMessage("{}")
	}
	return c.params
}

// setResult renders a result found for the call.
func (c *draftCall) setResult(res value) {
	if !res.isNil() {
		c.result, c.hasResult = resultString(res), true
	}
}

// callKey finds a tool call by its id within a trace.
type callKey struct {
	trace pcommon.TraceID
	id    string
}

// agentCallKey finds a tool call by its id among one agent's traces.
type agentCallKey struct {
	agent string
	id    string
}

// convert implements Convert.
func convert(td ptrace.Traces, opts Options) Result {
	b := newBatch(td)
	defer b.release()
	res := Result{Dropped: map[DropReason]int{}}
	var tools []*spanView
	drafts := b.entries[:0]
	for _, v := range b.views {
		switch {
		case v.kind == KindOther:
			res.Dropped[DropNotLLM]++
		case v.kind == KindTool:
			tools = append(tools, v) // a tool span needs no agent id when it folds into a call
		case v.agentID == "":
			res.Dropped[DropNoAgentID]++
		default:
			d := b.newDraft(v)
			if d.prompt == "" && d.response == "" && d.calls.n == 0 {
				res.Dropped[DropNoContent]++
				continue
			}
			drafts = append(drafts, d)
			if _, dup := b.draftOf[v.ref]; !dup {
				b.draftOf[v.ref] = d
			}
		}
	}

	b.dedup(drafts)
	lone := b.foldTools(drafts, tools, res.Dropped)
	for _, d := range drafts {
		for i := range d.calls.n {
			if c := d.calls.at(i); !c.hasResult && c.id != "" {
				c.result, c.hasResult = b.fedBack[callKey{d.view.ref.TraceID, c.id}]
				if !c.hasResult {
					c.result, c.hasResult = b.agentFedBack[agentCallKey{d.view.agentID, c.id}]
				}
			}
		}
	}

	entries := slices.DeleteFunc(drafts, func(d *draft) bool { return d.merged })
	entries = append(entries, lone...)
	slices.SortStableFunc(entries, func(x, y *draft) int { return x.view.order - y.view.order })
	b.entries = entries
	b.result(&res, entries, opts.MaxFieldBytes)
	return res
}

// result fills res with one batch per agent, in first-seen order. Each
// batch's slices are sized once; the sources of all interactions share one
// slice.
func (b *batch) result(res *Result, entries []*draft, maxBytes int) {
	perAgent := make([]int, 0, 4)
	refs := 0
	for _, d := range entries {
		i, ok := b.batchOf[d.view.agentID]
		if !ok {
			i = len(perAgent)
			b.batchOf[d.view.agentID] = i
			perAgent = append(perAgent, 0)
		}
		perAgent[i]++
		refs += d.sources.n
	}
	if len(entries) == 0 {
		return
	}
	res.Batches = make([]AgentBatch, len(perAgent))
	for _, d := range entries {
		ab := &res.Batches[b.batchOf[d.view.agentID]]
		if ab.Interactions == nil {
			n := perAgent[b.batchOf[d.view.agentID]]
			ab.AgentID = d.view.agentID
			ab.Interactions = make([]precogxapi.Interaction, 0, n)
			ab.Sources = make([][]SpanRef, 0, n)
		}
		ab.Interactions = append(ab.Interactions, d.interaction(&b.out, maxBytes))
		ab.Sources = append(ab.Sources, b.out.refs(&d.sources, refs))
	}
}

// newDraft extracts an LLM or agent span and records the tool results its
// input feeds back to the model.
func (b *batch) newDraft(v *spanView) *draft {
	defer b.t.reset(len(b.t.nodes)) // the span's values are done with
	ex := extractContent(v)
	d := b.drafts.next()
	*d = draft{
		view:     v,
		kind:     v.kind,
		prompt:   ex.prompt(),
		response: ex.response(),
		cot:      ex.chainOfThought(),
		system:   ex.systemPrompt(),
		conv:     ex.convention,
		meta:     b.baseMetadata(v, v.kind),
	}
	d.sources.add(v.ref)
	for _, m := range ex.answer() {
		for i := range m.calls.n {
			c := m.calls.at(i)
			dc := b.calls.next()
			dc.id, dc.name = c.id, c.name
			dc.setArgs(&b.out, c.args)
			d.calls.add(dc)
		}
	}
	if len(d.meta.FinishReasons) == 0 {
		var reasons [4]string
		d.meta.FinishReasons = b.out.strings(ex.finishReasons(reasons[:0]))
	}
	for _, m := range ex.input {
		for i := range m.results.n {
			r := m.results.at(i)
			key := callKey{v.ref.TraceID, r.id}
			if _, seen := b.fedBack[key]; r.id != "" && !r.result.isNil() && !seen {
				res := resultString(r.result)
				b.fedBack[key] = res
				if ak := (agentCallKey{v.agentID, r.id}); b.agentFedBack[ak] == "" {
					b.agentFedBack[ak] = res
				}
			}
		}
	}
	return d
}

// dedup keeps one interaction per real model call.
//
// Instrumentations stack: a LangChain span wraps the OpenAI SDK span, Vercel
// ai.generateText wraps its last doGenerate, an invoke_agent span repeats the
// prompt and final answer of its last chat step. When an LLM or agent span
// has the same prompt and response as a descendant LLM span of the same
// trace, only the descendant's interaction is emitted; it takes from the
// ancestor whatever it lacks (tool calls, tokens, agent name, session and
// user ids, ...) and lists both spans in its sources. An agent span that no
// descendant repeats stays an interaction of its own.
func (b *batch) dedup(drafts []*draft) {
	for _, d := range drafts {
		if d.kind != KindLLM || d.merged || (d.prompt == "" && d.response == "") {
			continue
		}
		b.walkUp(d.view, func(a *spanView) bool {
			ad := b.draftOf[a.ref]
			if ad != nil && ad != d && !ad.merged && ad.prompt == d.prompt && ad.response == d.response {
				d.absorb(ad)
			}
			return true
		})
	}
}

// absorb folds a repeated ancestor into d.
func (d *draft) absorb(a *draft) {
	a.merged = true
	for i := range a.sources.n {
		d.sources.add(a.sources.at(i))
	}
	if d.calls.n == 0 {
		d.calls = a.calls
	}
	if d.cot == "" {
		d.cot = a.cot
	}
	if d.system == "" {
		d.system = a.system
	}
	enrich(&d.meta, &a.meta)
}

// foldTools puts each tool-execution span into the tool call that requested
// it: by call id within the trace, else (when one side records no call id,
// as OpenLLMetry's @tool spans or Gemini calls without ids) by tool name,
// taking the first unexecuted call of that name requested before the tool
// ran. A tool span
// whose request is not in the batch becomes an interaction of its own, so a
// tool call is never lost.
func (b *batch) foldTools(drafts []*draft, tools []*spanView, dropped map[DropReason]int) []*draft {
	byID, owner := b.byID, b.owner
	for _, kind := range [...]Kind{KindLLM, KindAgent} { // model calls before agent summaries
		for _, d := range drafts {
			if d.merged || d.kind != kind {
				continue
			}
			for i := range d.calls.n {
				c := d.calls.at(i)
				owner[c] = d
				key := callKey{d.view.ref.TraceID, c.id}
				if _, dup := byID[key]; c.id != "" && !dup {
					byID[key] = c
				}
			}
		}
	}
	var lone []*draft
	for _, t := range tools {
		mark := len(b.t.nodes)
		if d := b.foldTool(t, drafts, dropped); d != nil {
			lone = append(lone, d)
		}
		b.t.reset(mark) // the tool span's values are done with
	}
	return lone
}

// foldTool folds one tool span into its call, or returns the interaction
// of its own it makes.
func (b *batch) foldTool(t *spanView, drafts []*draft, dropped map[DropReason]int) *draft {
	exec := extractTool(t)
	call := b.byID[callKey{t.ref.TraceID, exec.id}]
	if exec.id == "" || call == nil || call.executed {
		call = findCallByName(drafts, t, exec)
	}
	if call == nil {
		if t.agentID == "" {
			dropped[DropNoAgentID]++
			return nil
		}
		return b.loneTool(t, exec)
	}
	call.executed = true
	if call.name == "" {
		call.name = exec.name
	}
	if call.params == nil {
		call.setArgs(&b.out, exec.args)
	}
	call.setResult(exec.result)
	b.owner[call].sources.add(t.ref)
	return nil
}

// findCallByName returns the first unexecuted call of the tool's name
// requested in its trace before it started. Ids are authoritative: when
// both the call and the tool span have one, they must have matched by id.
func findCallByName(drafts []*draft, t *spanView, exec toolExecution) *draftCall {
	if exec.name == "" {
		return nil
	}
	for _, d := range drafts {
		if d.merged || d.view.ref.TraceID != t.ref.TraceID || d.view.span.StartTimestamp() > t.span.StartTimestamp() {
			continue
		}
		for i := range d.calls.n {
			if c := d.calls.at(i); !c.executed && c.name == exec.name && (c.id == "" || exec.id == "") {
				return c
			}
		}
	}
	return nil
}

// loneTool makes an interaction of a tool span whose request is not in the batch.
func (b *batch) loneTool(t *spanView, exec toolExecution) *draft {
	d := b.drafts.next()
	*d = draft{view: t, kind: KindTool, conv: exec.convention, meta: b.baseMetadata(t, KindTool)}
	d.sources.add(t.ref)
	c := b.calls.next()
	*c = draftCall{id: exec.id, name: exec.name, executed: true}
	c.setArgs(&b.out, exec.args)
	c.setResult(exec.result)
	d.calls.add(c)
	return d
}

// interaction renders the draft, capping every field at maxBytes.
func (d *draft) interaction(out *outSlabs, maxBytes int) precogxapi.Interaction {
	md := d.meta
	if md.SystemPrompt == "" {
		md.SystemPrompt = d.system
	}
	md.Convention = d.conv
	in := precogxapi.Interaction{
		AgentID:        d.view.agentID,
		Prompt:         d.prompt,
		Response:       d.response,
		ChainOfThought: d.cot,
		Metadata:       md,
	}
	if d.calls.n > 0 {
		in.ToolCalls = out.toolCalls(d.calls.n)
		for i := range d.calls.n {
			c := d.calls.at(i)
			in.ToolCalls[i] = precogxapi.ToolCall{
				ToolName:   strings.TrimSpace(c.name),
				Parameters: c.parameters(),
				Result:     c.result,
			}
		}
	}
	sanitize(&in)
	truncate(&in, maxBytes)
	return in
}
