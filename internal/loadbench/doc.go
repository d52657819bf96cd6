// Package loadbench measures the precogx components beside the collector's
// own OTLP path, for `make bench`: an in-process pipeline (precogx processor
// and exporter into a PrecogX-compatible server, against the otlp_http
// exporter into an OTLP sink, same spans), and the built collector under a
// fixed load (CPU and peak memory of the collector process alone, read from
// /proc). Everything listens on 127.0.0.1, on free ports, for bounded
// durations; every process started is stopped by its PID.
package loadbench // import "github.com/precogxai/precogx-otel/internal/loadbench"
