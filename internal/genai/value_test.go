package genai

import (
	"encoding/json"
	"math"
)

// Tests write inputs and expectations as interface values, the form
// encoding/json decodes into; these convert them to and from the tree.

// fromGo builds a tree of interface values.
func fromGo(x any) value {
	t := &tree{}
	return t.val(t.addGo(x, 0))
}

func (t *tree) addGo(x any, depth int) int32 {
	if depth > maxDepth {
		return t.add(node{kind: vNull})
	}
	switch x := x.(type) {
	case string:
		return t.add(node{kind: vString, s: x})
	case json.Number:
		return t.add(node{kind: vNumber, s: string(x)})
	case int64:
		return t.add(node{kind: vInt, num: uint64(x)})
	case int:
		return t.add(node{kind: vInt, num: uint64(int64(x))})
	case float64:
		return t.add(node{kind: vFloat, num: math.Float64bits(x)})
	case bool:
		return t.add(node{kind: vBool, num: boolBits(x)})
	case []any:
		arr := t.add(node{kind: vArray})
		var b childLinker
		for _, e := range x {
			b.link(t, arr, t.addGo(e, depth+1))
		}
		return arr
	case map[string]any:
		obj := t.add(node{kind: vObject})
		var b childLinker
		for k, e := range x {
			c := t.addGo(e, depth+1)
			t.nodes[c].key = k
			b.link(t, obj, c)
		}
		return obj
	}
	return t.add(node{kind: vNull})
}

// toGo converts a value to interface values as encoding/json decodes them
// (numbers of JSON text as json.Number; nil when absent or null).
func toGo(v value) any {
	switch v.kind() {
	case vBool:
		return v.node().num != 0
	case vNumber:
		return json.Number(v.node().s)
	case vInt:
		return int64(v.node().num)
	case vFloat:
		return math.Float64frombits(v.node().num)
	case vString:
		return v.str()
	case vArray:
		out := make([]any, 0, v.len())
		for e := v.first(); e.present(); e = e.next() {
			out = append(out, toGo(e))
		}
		return out
	case vObject:
		out := make(map[string]any, v.len())
		for m := v.first(); m.present(); m = m.next() {
			out[m.key()] = toGo(m)
		}
		return out
	}
	return nil
}
