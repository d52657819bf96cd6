package genai // import "github.com/precogxai/precogx-otel/internal/genai"

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Bounds on untrusted input. Attribute values come from any SDK (or attacker):
// nesting is walked recursively, so it is capped, and values beyond the size
// cap are kept as raw strings rather than decoded.
const (
	maxDepth     = 64       // nesting of JSON and of structured AnyValues we walk
	maxJSONBytes = 32 << 20 // larger strings are not JSON-decoded
)

// vkind is the type of a value.
type vkind uint8

const (
	vNull   vkind = iota // JSON null, an empty or bytes AnyValue, or nesting cut off
	vBool                //
	vNumber              // a JSON number, its text kept exact so re-encoded arguments keep their digits
	vInt                 // an AnyValue int
	vFloat               // an AnyValue double
	vString              //
	vArray               //
	vObject              //
)

// node is one value in a tree. Arrays and objects link their children
// (first, next), objects name them (key): no map or slice per value.
type node struct {
	kind vkind
	// raw is set on strings read from JSON text that still need unescaping
	// or UTF-8 repair; str() does it on first use.
	raw bool
	// dups is set on objects that may hold a key twice: lookups then
	// scan every member for the last one.
	dups  bool
	first int32 // first child; -1 when none
	next  int32 // next sibling; -1 when none
	n     int32 // children
	key   string
	s     string // string, or number text
	num   uint64 // bool (0/1), int64 or float64 bits
}

// tree holds the values one conversion reads, JSON parsed from attribute
// text and structured AnyValues alike, in one slice of nodes reused from
// conversion to conversion. Strings point into the attribute values they
// come from; only strings with escapes are copied.
type tree struct {
	// gen counts resets: values made before a reset are gone (see
	// spanView.load for the one kind of value a view keeps).
	gen      uint32
	nodes    []node
	scratch  []int32         // object members being sorted or relinked
	msgs     []message       // message lists being read, see readMessages
	attrVals []pcommon.Value // attribute values of the attrSets read
}

var treePool = sync.Pool{New: func() any { return &tree{} }}

// maxPooledNodes keeps a tree that once held a huge document from staying
// in the pool.
const maxPooledNodes = 1 << 16

func getTree() *tree { return treePool.Get().(*tree) }

func putTree(t *tree) {
	if cap(t.nodes) > maxPooledNodes {
		return
	}
	clear(t.msgs[:cap(t.msgs)])
	clear(t.attrVals)
	t.nodes, t.scratch, t.msgs, t.attrVals = t.nodes[:0], t.scratch[:0], t.msgs[:0], t.attrVals[:0]
	treePool.Put(t)
}

// reset drops the nodes and messages made since mark: the conversion
// resets the tree after each span, so it holds one span's values at a time.
func (t *tree) reset(mark int) {
	t.nodes = t.nodes[:mark]
	t.msgs = t.msgs[:0]
	t.gen++
}

func (t *tree) add(n node) int32 {
	n.first, n.next = -1, -1
	t.nodes = append(t.nodes, n)
	return int32(len(t.nodes) - 1)
}

// value is a handle to a node. The zero value is absent.
type value struct {
	t *tree
	i int32
}

func (t *tree) val(i int32) value { return value{t, i} }

func (t *tree) newString(s string) value {
	return t.val(t.add(node{kind: vString, s: s}))
}

func (v value) node() *node { return &v.t.nodes[v.i] }

// present reports whether v exists (it may still be null).
func (v value) present() bool { return v.t != nil }

// isNil reports whether v is absent or null: what a nil interface{} was
// for values decoded by encoding/json.
func (v value) isNil() bool { return v.t == nil || v.node().kind == vNull }

func (v value) kind() vkind {
	if v.t == nil {
		return vNull
	}
	return v.node().kind
}

func (v value) isString() bool { return v.kind() == vString }
func (v value) isArray() bool  { return v.kind() == vArray }
func (v value) isObject() bool { return v.kind() == vObject }

// str returns a string value ("" for other kinds), unescaped.
func (v value) str() string {
	if v.kind() != vString {
		return ""
	}
	n := v.node()
	if n.raw {
		n.s, n.raw = unquote(n.s), false
	}
	return n.s
}

// first returns the first element or member of an array or object.
func (v value) first() value {
	if k := v.kind(); k != vArray && k != vObject {
		return value{}
	}
	return v.child(v.node().first)
}

// next returns the following element or member.
func (v value) next() value { return v.child(v.node().next) }

func (v value) child(i int32) value {
	if i < 0 {
		return value{}
	}
	return value{v.t, i}
}

// key is the name of an object member.
func (v value) key() string { return v.node().key }

// len is the number of elements of an array or distinct keys of an object.
func (v value) len() int {
	switch v.kind() {
	case vArray:
		return int(v.node().n)
	case vObject:
		n := 0
		for m := v.first(); m.present(); m = m.next() {
			if !v.shadowed(m) {
				n++
			}
		}
		return n
	}
	return 0
}

// shadowed reports whether a later member of object v has m's key: as in a
// decoded map, the last of duplicate keys wins.
func (v value) shadowed(m value) bool {
	k := m.key()
	for o := m.next(); o.present(); o = o.next() {
		if o.key() == k {
			return true
		}
	}
	return false
}

// get returns the member key of an object (the last one of duplicates).
func (v value) get(key string) (value, bool) {
	var found value
	if v.kind() == vObject {
		dups := v.node().dups
		for m := v.first(); m.present(); m = m.next() {
			if m.key() == key {
				if found = m; !dups {
					break
				}
			}
		}
	}
	return found, found.present()
}

// field returns member key of an object, absent otherwise.
func (v value) field(key string) value {
	f, _ := v.get(key)
	return f
}

// firstField returns the first non-null member of keys.
func (v value) firstField(keys ...string) value {
	if v.kind() != vObject {
		return value{}
	}
	for _, k := range keys {
		if x := v.field(k); !x.isNil() {
			return x
		}
	}
	return value{}
}

// scalarString returns strings, numbers and booleans as text, "" otherwise.
func (v value) scalarString() string {
	switch v.kind() {
	case vString:
		return v.str()
	case vNumber:
		return v.node().s
	case vInt:
		return strconv.FormatInt(int64(v.node().num), 10)
	case vFloat:
		return strconv.FormatFloat(math.Float64frombits(v.node().num), 'g', -1, 64)
	case vBool:
		return strconv.FormatBool(v.node().num != 0)
	}
	return ""
}

// fieldString returns the first scalar member of keys as text.
func (v value) fieldString(keys ...string) string {
	for _, k := range keys {
		if s := v.field(k).scalarString(); s != "" {
			return s
		}
	}
	return ""
}

// asText renders any value as text: strings as is, arrays and objects as
// JSON, other scalars as scalarString.
func (v value) asText() string {
	switch v.kind() {
	case vString:
		return v.str()
	case vArray, vObject:
		return compactJSON(v)
	}
	return v.scalarString()
}

// asInt reads an integer from any numeric form (int, float, JSON number,
// decimal string).
func (v value) asInt() (int64, bool) {
	switch v.kind() {
	case vInt:
		return int64(v.node().num), true
	case vFloat:
		return floatToInt(math.Float64frombits(v.node().num))
	case vNumber, vString:
		return parseInt(strings.TrimSpace(v.scalarString()))
	}
	return 0, false
}

func floatToInt(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<62 {
		return 0, false
	}
	return int64(f), true
}

// parseInt reads a number as json.Number.Int64 would, else through its
// float value.
func parseInt(s string) (int64, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return floatToInt(f)
	}
	return 0, false
}

// asFloat reads a finite float from any numeric form.
func (v value) asFloat() (float64, bool) {
	var f float64
	switch v.kind() {
	case vInt:
		f = float64(int64(v.node().num))
	case vFloat:
		f = math.Float64frombits(v.node().num)
	case vNumber, vString:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.scalarString()), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// fromPdata adds an attribute value to the tree. Strings stay as they are
// (not JSON-decoded); nesting beyond maxDepth, empty and bytes values are
// null.
func (t *tree) fromPdata(v pcommon.Value, depth int) value {
	if depth > maxDepth {
		return t.val(t.add(node{kind: vNull}))
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return t.newString(v.Str())
	case pcommon.ValueTypeInt:
		return t.val(t.add(node{kind: vInt, num: uint64(v.Int())}))
	case pcommon.ValueTypeDouble:
		return t.val(t.add(node{kind: vFloat, num: math.Float64bits(v.Double())}))
	case pcommon.ValueTypeBool:
		return t.val(t.add(node{kind: vBool, num: boolBits(v.Bool())}))
	case pcommon.ValueTypeMap:
		obj := t.add(node{kind: vObject})
		var b childLinker
		v.Map().Range(func(k string, e pcommon.Value) bool {
			c := t.fromPdata(e, depth+1).i
			t.nodes[c].key = k
			b.linkMember(t, obj, c)
			return true
		})
		return t.val(obj)
	case pcommon.ValueTypeSlice:
		arr := t.add(node{kind: vArray})
		var b childLinker
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			b.link(t, arr, t.fromPdata(s.At(i), depth+1).i)
		}
		return t.val(arr)
	}
	return t.val(t.add(node{kind: vNull}))
}

func boolBits(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// childLinker appends children to an array or object node.
type childLinker struct{ last int32 }

// dupCheckMembers is how many members an object may have for its keys to
// be compared when linked; beyond, it is marked as maybe holding duplicates.
const dupCheckMembers = 8

// linkMember appends an object member and notes duplicate keys.
func (b *childLinker) linkMember(t *tree, obj, child int32) {
	if n := &t.nodes[obj]; !n.dups {
		if n.n >= dupCheckMembers {
			n.dups = true
		} else {
			key := t.nodes[child].key
			for c := n.first; c >= 0 && n.n > 0; c = t.nodes[c].next {
				if t.nodes[c].key == key {
					n.dups = true
					break
				}
			}
		}
	}
	b.link(t, obj, child)
}

func (b *childLinker) link(t *tree, parent, child int32) {
	if t.nodes[parent].n == 0 {
		t.nodes[parent].first = child
	} else {
		t.nodes[b.last].next = child
	}
	t.nodes[parent].n++
	b.last = child
}

// decoded adds an attribute value to the tree, JSON-decoding strings.
func (t *tree) decoded(v pcommon.Value) value {
	if v.Type() == pcommon.ValueTypeStr {
		return t.decodeString(v.Str())
	}
	return t.fromPdata(v, 0)
}

// decodeJSON parses s when it holds one JSON object, array or string
// (surrounding space allowed). ok is false for anything else, including
// SDK-truncated JSON: callers then keep the raw string.
func (t *tree) decodeJSON(s string) (value, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxJSONBytes {
		return value{}, false
	}
	switch s[0] {
	case '{', '[', '"':
	default:
		return value{}, false
	}
	return t.parseJSON(s)
}

// decodeString decodes a JSON string attribute up to two levels (MLflow and
// Logfire JSON-encode values that already are JSON). A value that is not
// JSON is returned unchanged.
func (t *tree) decodeString(s string) value {
	v, ok := t.decodeJSON(s)
	if !ok {
		return t.newString(s)
	}
	if v.isString() {
		if v2, ok := t.decodeJSON(v.str()); ok {
			return v2
		}
	}
	return v
}
