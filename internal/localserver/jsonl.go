package localserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// JSONLRecord is one line of the JSONL file: an interaction answered 200.
type JSONLRecord struct {
	ReceivedAt time.Time `json:"received_at"`
	// Key is the name of the key that sent it, never the key itself.
	Key string `json:"key"`
	// Path is the API path it came by.
	Path      string             `json:"path"`
	AgentID   string             `json:"agent_id"`
	Duplicate bool               `json:"duplicate"`
	Verdict   precogxapi.Verdict `json:"verdict"`
	// Interaction is the interaction as received, custom metadata included.
	Interaction json.RawMessage `json:"interaction"`
}

var errJSONLClosed = errors.New("jsonl file closed")

// jsonlWriter appends lines to a file through a buffer flushed every
// interval and on close. Safe for concurrent use.
type jsonlWriter struct {
	mu     sync.Mutex
	file   *os.File
	buf    *bufio.Writer
	closed bool

	stop    chan struct{}
	flushed chan struct{} // closed when the flush loop has ended
}

func openJSONL(path string, every time.Duration) (*jsonlWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	j := &jsonlWriter{
		file:    f,
		buf:     bufio.NewWriterSize(f, 64<<10),
		stop:    make(chan struct{}),
		flushed: make(chan struct{}),
	}
	go j.flushLoop(every)
	return j, nil
}

func (j *jsonlWriter) flushLoop(every time.Duration) {
	defer close(j.flushed)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-tick.C:
			_ = j.Flush() // a failed flush keeps its error in the bufio.Writer: the next write reports it
		}
	}
}

// Write appends v as one line. json.Marshal never emits a raw newline, even
// for a pretty-printed RawMessage, which it compacts.
func (j *jsonlWriter) Write(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errJSONLClosed
	}
	_, err = j.buf.Write(line)
	return err
}

// Flush moves buffered lines to the file.
func (j *jsonlWriter) Flush() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	return j.buf.Flush()
}

// Close flushes and closes the file; later writes fail with errJSONLClosed.
func (j *jsonlWriter) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	err := errors.Join(j.buf.Flush(), j.file.Close())
	j.mu.Unlock()
	close(j.stop)
	<-j.flushed
	return err
}
