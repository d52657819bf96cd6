package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// stdlib is what encoding/json writes for s without HTML escaping.
func stdlib(t testing.TB, s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

var cases = []string{
	"", "plain ascii longer than eight bytes", `quote " and backslash \`, "tab\tnewline\nreturn\rff\fbs\b",
	"\x00\x01\x1f\x7f", "<html> & stays", "héllo wörld ✓ 日本語", "line\u2028sep\u2029para",
	"bad \xff utf8 \xe2\x80", "\xe2\x82\xac euro after eight bytes \xe2\x80\xa8", "12345678\"",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range cases {
		assert.Equal(t, stdlib(t, s), string(AppendString(nil, s)), "%q", s)
	}
	assert.Equal(t, `x"a"`, string(AppendString([]byte("x"), "a")), "appends to what is there")
}

func FuzzAppendString(f *testing.F) {
	for _, s := range cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString(nil, s)), stdlib(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1.5, 0.7, 1e-7, 1.5e-9, 123456789, 1e21, 1e20, -2.5e300, 3.14159265358979} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := AppendFloat(nil, f)
		assert.True(t, ok, "%v", f)
		assert.Equal(t, string(want), string(got), "%v", f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		got, ok := AppendFloat([]byte("x"), f)
		assert.False(t, ok, "%v", f)
		assert.Equal(t, "x", string(got), "nothing appended for %v", f)
	}
}
