package e2e

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

// plausibleEnv gives the environment variables the shipped configurations
// read without a default a value they could have in a deployment. Ports,
// directories and exporter URLs are filled in by name (…_PORT, …_DIR,
// …_ENDPOINT).
var plausibleEnv = map[string]string{
	"PRECOGX_ENDPOINT": "https://api.precogx.ai",
	"PRECOGX_API_KEY":  "px_live_0123456789abcdef",
	"GATEWAYS":         "[10.0.0.5:4317, 10.0.0.6:4317]",
	"GATEWAY_NAME":     "gw1",
	"MY_POD_IP":        "10.1.2.3",
	"SINK_ENDPOINT":    "http://127.0.0.1:4318",
}

var (
	envReference   = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)
	fullConfig     = regexp.MustCompile(`(?m)^service:\s*$[\s\S]*^  pipelines:`)
	overlayHeader  = regexp.MustCompile(`^# Overlay on ([\w.-]+\.yaml)`)
	k8sManifest    = regexp.MustCompile(`(?m)^apiVersion:[\s\S]*^kind:`)
	yamlUnderTests = []string{".yaml", ".yml"}
)

// TestShippedConfigsValidate runs `otelcol-precogx validate` on every
// collector configuration in testdata/ (overlays merged onto the file their
// first line names), with plausible values in the environment, so that a
// shipped configuration never names a component, a key or a value this
// distribution refuses.
func TestShippedConfigsValidate(t *testing.T) {
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make test`, which builds the collector first", testbed.CollectorBinEnv)
	}
	root := filepath.Join("..", "testdata")
	var validated []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if d.IsDir() || !slices.Contains(yamlUnderTests, filepath.Ext(path)) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name, _ := filepath.Rel(root, path)
		var configs []string
		switch text := string(data); {
		case fullConfig.MatchString(text):
			configs = []string{path}
		case overlayHeader.MatchString(text):
			base := filepath.Join(filepath.Dir(path), overlayHeader.FindStringSubmatch(text)[1])
			configs = []string{base, path}
		case k8sManifest.MatchString(text):
			return nil
		default:
			t.Errorf("%s is neither a collector configuration (service.pipelines), an overlay (first line `# Overlay on <file>.yaml`) nor a Kubernetes manifest", name)
			return nil
		}
		validated = append(validated, filepath.ToSlash(name))
		t.Run(filepath.ToSlash(name), func(t *testing.T) { validate(t, bin, configs) })
		return nil
	})
	require.NoError(t, err)
	for _, want := range []string{"scaleout-agent-tier.yaml", "scaleout-gateway.yaml", "k8s/agent-tier.yaml", "k8s/gateway.yaml"} {
		assert.Contains(t, validated, want)
	}
}

// validate runs the collector's validate command on configs, merged in
// order, with the environment they read.
func validate(t *testing.T, bin string, configs []string) {
	var texts strings.Builder
	args := []string{"validate"}
	for _, c := range configs {
		data, err := os.ReadFile(c)
		require.NoError(t, err)
		texts.Write(data)
		args = append(args, "--config="+c)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	port := 24000
	seen := map[string]bool{}
	for _, m := range envReference.FindAllStringSubmatch(texts.String(), -1) {
		name, hasDefault := m[1], m[2] != ""
		if hasDefault || seen[name] {
			continue
		}
		seen[name] = true
		value, ok := plausibleEnv[name]
		switch {
		case ok:
		case strings.HasSuffix(name, "_PORT"):
			port++
			value = strconv.Itoa(port)
		case strings.HasSuffix(name, "_DIR"):
			value = t.TempDir()
		case strings.HasSuffix(name, "_ENDPOINT"): // an exporter's URL; receivers here take …_PORT
			port++
			value = "http://127.0.0.1:" + strconv.Itoa(port)
		default:
			t.Fatalf("${env:%s} has no default: give it a plausible value in plausibleEnv", name)
		}
		env = append(env, name+"="+value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "otelcol-precogx %s:\n%s", strings.Join(args, " "), out)
}
