package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

// looksRandom reports whether an agent id looks generated per run or per
// process rather than chosen by a person. A false alarm costs a warning (or
// data, with random_ids: drop), so the rules are conservative. It flags an id
// holding
//   - a UUID (8-4-4-4-12 hex digits);
//   - a run of 16 or more hex digits, or of 12 or more mixing digits and
//     letters (hashes, trace ids, ObjectIDs, UUIDs without dashes);
//   - a run of 10 or more decimal digits (unix timestamps, snowflake ids);
//   - a run of letters and digits that reads as base-encoded: 8 or more
//     characters with 4 or more digit groups (ULIDs), or with 2 or more and
//     no vowel (Kubernetes pod hashes), or 12 or more characters with 3 or
//     more lone lower-case letters or 3 or more upper-case runs (base62 and
//     base64 ids), which camel-case names do not have.
//
// It does not allocate.
func looksRandom(id string) bool {
	if hasUUID(id) {
		return true
	}
	hexRun, hexDigits, decimalRun := 0, 0, 0
	wordStart := -1
	for i := 0; i <= len(id); i++ {
		var c byte // 0 past the end closes the last run
		if i < len(id) {
			c = id[i]
		}
		if isHex(c) {
			hexRun++
			if isDigit(c) {
				hexDigits++
			}
			if hexRun >= 16 || (hexRun >= 12 && hexDigits > 0 && hexDigits < hexRun) {
				return true
			}
		} else {
			hexRun, hexDigits = 0, 0
		}
		if isDigit(c) {
			decimalRun++
			if decimalRun >= 10 {
				return true
			}
		} else {
			decimalRun = 0
		}
		if isDigit(c) || isLower(c) || isUpper(c) {
			if wordStart < 0 {
				wordStart = i
			}
			continue
		}
		if wordStart >= 0 && looksEncoded(id[wordStart:i]) {
			return true
		}
		wordStart = -1
	}
	return false
}

// looksEncoded judges one run of ASCII letters and digits.
func looksEncoded(word string) bool {
	if len(word) < 8 {
		return false
	}
	digitGroups, vowels, loneLower, upperRuns := 0, 0, 0, 0
	for i := 0; i < len(word); i++ {
		c, prev := word[i], byteAt(word, i-1)
		if isVowel(c) {
			vowels++
		}
		switch {
		case isDigit(c):
			if !isDigit(prev) {
				digitGroups++
			}
		case isLower(c):
			if !isLower(prev) && !isLower(byteAt(word, i+1)) {
				loneLower++
			}
		case isUpper(prev) && !isUpper(byteAt(word, i-2)):
			upperRuns++ // c is the second letter of an upper-case run
		}
	}
	if digitGroups >= 4 || (digitGroups >= 2 && vowels == 0) {
		return true
	}
	return len(word) >= 12 && (loneLower >= 3 || upperRuns >= 3)
}

func hasUUID(s string) bool {
	const uuidLen = 36
	for i := 0; i+uuidLen <= len(s); i++ {
		if s[i+8] == '-' && isUUID(s[i:i+uuidLen]) {
			return true
		}
	}
	return false
}

func isUUID(s string) bool {
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func isVowel(c byte) bool {
	switch c | 0x20 { // lower case
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func byteAt(s string, i int) byte {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isHex(c byte) bool   { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }

const (
	// maxRememberedRandomIDs bounds the memory spent on warning once per id.
	maxRememberedRandomIDs = 1000
	// maxLoggedIDBytes bounds what one warning repeats of an untrusted value.
	maxLoggedIDBytes = 128
)

// randomIDLog warns once per random-looking agent id and counts the distinct
// ids. It remembers hashes of the last maxRememberedRandomIDs ids, so an id
// seen again after that many others is reported again.
type randomIDLog struct {
	logger  *zap.Logger
	counter metric.Int64Counter

	mu    sync.Mutex
	seed  maphash.Seed
	seen  map[uint64]struct{}
	order []uint64 // ring of remembered hashes, oldest at next
	next  int
}

func newRandomIDLog(logger *zap.Logger, counter metric.Int64Counter) *randomIDLog {
	return &randomIDLog{
		logger:  logger,
		counter: counter,
		seed:    maphash.MakeSeed(),
		seen:    make(map[uint64]struct{}, maxRememberedRandomIDs),
		order:   make([]uint64, 0, maxRememberedRandomIDs),
	}
}

func (l *randomIDLog) report(ctx context.Context, id string, dropped bool) {
	if !l.remember(maphash.String(l.seed, id)) {
		return
	}
	l.counter.Add(ctx, 1)
	if len(id) > maxLoggedIDBytes {
		id = strings.ToValidUTF8(id[:maxLoggedIDBytes], "") + "…"
	}
	l.logger.Warn("Agent id looks random per run; PrecogX counts every distinct agent id toward the plan's agent limit. "+
		"Point agent_id.from at a stable attribute, or map the value with agent_id.rename.",
		zap.String("agent_id", id), zap.Bool("dropped", dropped))
}

// remember records h and reports whether it was new.
func (l *randomIDLog) remember(h uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[h]; ok {
		return false
	}
	if len(l.order) < maxRememberedRandomIDs {
		l.order = append(l.order, h)
	} else {
		delete(l.seen, l.order[l.next])
		l.order[l.next] = h
		l.next = (l.next + 1) % maxRememberedRandomIDs
	}
	l.seen[h] = struct{}{}
	return true
}
