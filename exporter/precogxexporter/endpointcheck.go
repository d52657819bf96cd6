package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"net"
	"net/url"
	"strings"

	"go.uber.org/zap"
)

// warnPlainHTTP warns when the endpoint is plain HTTP to a host other than
// this machine: the API key, prompts and responses would cross the network
// unencrypted. Plain HTTP to loopback (a local PrecogX stand-in, a sidecar
// proxy that adds TLS) is fine.
func warnPlainHTTP(logger *zap.Logger, endpoint string) {
	u, err := url.Parse(endpoint)
	if err != nil || !strings.EqualFold(u.Scheme, "http") || isLoopback(u.Hostname()) {
		return
	}
	logger.Warn("The PrecogX endpoint is plain HTTP to another host: the API key and every prompt and response cross the network unencrypted. Use an https:// endpoint.",
		zap.String("endpoint", u.Redacted()))
}

// isLoopback reports whether host names this machine: localhost or a
// loopback address. Other names are not resolved: what they resolve to can
// change.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
