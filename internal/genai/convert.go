package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// maxHops bounds every walk along parent links, so malformed input (parent
// cycles, absurdly deep traces) cannot loop.
const maxHops = 256

// batch indexes the spans of one Convert call.
type batch struct {
	views    []*spanView
	byRef    map[SpanRef]*spanView
	children map[SpanRef][]*spanView // built on first use
}

func newBatch(td ptrace.Traces) *batch {
	b := &batch{byRef: make(map[SpanRef]*spanView, td.SpanCount())}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				v := &spanView{
					span:   span,
					attrs:  span.Attributes(),
					res:    rs.Resource(),
					scope:  ss.Scope(),
					ref:    SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()},
					parent: SpanRef{TraceID: span.TraceID(), SpanID: span.ParentSpanID()},
					order:  len(b.views),
				}
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
	if b.children == nil {
		b.children = make(map[SpanRef][]*spanView)
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
	calls    []*draftCall
	meta     precogxapi.Metadata
	conv     string
	sources  []SpanRef
	merged   bool // folded into a descendant LLM call (dedup)
}

// draftCall is one tool call of a draft.
type draftCall struct {
	id, name  string
	args      any
	result    any
	hasResult bool
	executed  bool // a tool-execution span was folded into it
}

// callKey finds a tool call by its id within a trace.
type callKey struct {
	trace pcommon.TraceID
	id    string
}

// convert implements Convert.
func convert(td ptrace.Traces, opts Options) Result {
	b := newBatch(td)
	res := Result{Dropped: map[DropReason]int{}}
	var drafts []*draft
	draftOf := make(map[SpanRef]*draft)
	var tools []*spanView
	fedBack := make(map[callKey]any) // tool results fed back to models, by call id

	for _, v := range b.views {
		switch {
		case v.kind == KindOther:
			res.Dropped[DropNotLLM]++
		case v.kind == KindTool:
			tools = append(tools, v) // a tool span needs no agent id when it folds into a call
		case v.agentID == "":
			res.Dropped[DropNoAgentID]++
		default:
			d := b.newDraft(v, fedBack)
			if d.prompt == "" && d.response == "" && len(d.calls) == 0 {
				res.Dropped[DropNoContent]++
				continue
			}
			drafts = append(drafts, d)
			if _, dup := draftOf[v.ref]; !dup {
				draftOf[v.ref] = d
			}
		}
	}

	b.dedup(drafts, draftOf)
	lone := b.foldTools(drafts, tools, res.Dropped)
	for _, d := range drafts {
		for _, c := range d.calls {
			if !c.hasResult && c.id != "" {
				c.result, c.hasResult = fedBack[callKey{d.view.ref.TraceID, c.id}]
			}
		}
	}

	entries := make([]*draft, 0, len(drafts)+len(lone))
	for _, d := range drafts {
		if !d.merged {
			entries = append(entries, d)
		}
	}
	entries = append(entries, lone...)
	slices.SortStableFunc(entries, func(x, y *draft) int { return x.view.order - y.view.order })

	batchOf := make(map[string]int)
	for _, d := range entries {
		i, ok := batchOf[d.view.agentID]
		if !ok {
			i = len(res.Batches)
			batchOf[d.view.agentID] = i
			res.Batches = append(res.Batches, AgentBatch{AgentID: d.view.agentID})
		}
		ab := &res.Batches[i]
		ab.Interactions = append(ab.Interactions, d.interaction(opts.MaxFieldBytes))
		ab.Sources = append(ab.Sources, d.sources)
	}
	return res
}

// newDraft extracts an LLM or agent span and records the tool results its
// input feeds back to the model.
func (b *batch) newDraft(v *spanView, fedBack map[callKey]any) *draft {
	ex := extractContent(v)
	d := &draft{
		view:     v,
		kind:     v.kind,
		prompt:   ex.prompt(),
		response: ex.response(),
		cot:      ex.chainOfThought(),
		system:   ex.systemPrompt(),
		conv:     ex.convention,
		meta:     b.baseMetadata(v, v.kind),
		sources:  []SpanRef{v.ref},
	}
	for _, c := range ex.calls() {
		d.calls = append(d.calls, &draftCall{id: c.id, name: c.name, args: c.args})
	}
	if len(d.meta.FinishReasons) == 0 {
		d.meta.FinishReasons = ex.finishReasons()
	}
	for _, r := range ex.results() {
		key := callKey{v.ref.TraceID, r.id}
		if _, seen := fedBack[key]; r.id != "" && r.result != nil && !seen {
			fedBack[key] = r.result
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
func (b *batch) dedup(drafts []*draft, draftOf map[SpanRef]*draft) {
	for _, d := range drafts {
		if d.kind != KindLLM || d.merged || (d.prompt == "" && d.response == "") {
			continue
		}
		b.walkUp(d.view, func(a *spanView) bool {
			ad := draftOf[a.ref]
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
	d.sources = append(d.sources, a.sources...)
	if len(d.calls) == 0 {
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
	byID := make(map[callKey]*draftCall)
	owner := make(map[*draftCall]*draft)
	for _, kind := range [...]Kind{KindLLM, KindAgent} { // model calls before agent summaries
		for _, d := range drafts {
			if d.merged || d.kind != kind {
				continue
			}
			for _, c := range d.calls {
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
		exec := extractTool(t)
		call := byID[callKey{t.ref.TraceID, exec.id}]
		if exec.id == "" || call == nil || call.executed {
			call = findCallByName(drafts, t, exec)
		}
		if call == nil {
			if t.agentID == "" {
				dropped[DropNoAgentID]++
				continue
			}
			lone = append(lone, b.loneTool(t, exec))
			continue
		}
		call.executed = true
		if call.name == "" {
			call.name = exec.name
		}
		if call.args == nil {
			call.args = exec.args
		}
		if exec.result != nil {
			call.result, call.hasResult = exec.result, true
		}
		d := owner[call]
		d.sources = append(d.sources, t.ref)
	}
	return lone
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
		for _, c := range d.calls {
			if !c.executed && c.name == exec.name && (c.id == "" || exec.id == "") {
				return c
			}
		}
	}
	return nil
}

// loneTool makes an interaction of a tool span whose request is not in the batch.
func (b *batch) loneTool(t *spanView, exec toolExecution) *draft {
	return &draft{
		view:    t,
		kind:    KindTool,
		conv:    exec.convention,
		meta:    b.baseMetadata(t, KindTool),
		sources: []SpanRef{t.ref},
		calls: []*draftCall{{
			id: exec.id, name: exec.name, args: exec.args,
			result: exec.result, hasResult: exec.result != nil, executed: true,
		}},
	}
}

// interaction renders the draft, capping every field at maxBytes.
func (d *draft) interaction(maxBytes int) precogxapi.Interaction {
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
	for _, c := range d.calls {
		in.ToolCalls = append(in.ToolCalls, precogxapi.ToolCall{
			ToolName:   strings.TrimSpace(c.name),
			Parameters: encodeParams(c.args),
			Result:     resultString(c.result),
		})
	}
	sanitize(&in)
	truncate(&in, maxBytes)
	return in
}
