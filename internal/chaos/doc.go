// Package chaos proves that the collector loses nothing it accepted: it runs
// simulated agents (internal/agentsim) through the built collector into the
// local PrecogX server (internal/localserver) while the server injects
// faults in turn and the collector is killed with SIGKILL and restarted on
// the same persistent queue, then accounts for every interaction: delivered,
// lost, duplicated, or dropped on purpose with a reason from the collector's
// own metrics. The same machinery runs the soak, a long steady run watched
// for growth in goroutines, RSS and heap.
package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"
