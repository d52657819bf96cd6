package localserver

import "testing"

func TestParsePlan(t *testing.T) {
	tests := []struct {
		in      string
		want    Plan
		wantErr bool
	}{
		{in: "free", want: PlanFree},
		{in: "Professional", want: PlanProfessional},
		{in: "business", want: PlanBusiness},
		{in: "enterprise", want: PlanEnterprise},
		{in: " 3 ", want: Plan{Name: "custom", MaxAgents: 3}},
		{in: "0", wantErr: true},
		{in: "-2", wantErr: true},
		{in: "gold", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParsePlan(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePlan(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestPlanLimitsAndTiers(t *testing.T) {
	tests := []struct {
		plan      Plan
		maxAgents int
		rate      Rate
	}{
		{PlanFree, 1, Rate{PerMinute: 100, Burst: 200}},
		{PlanProfessional, 10, Rate{PerMinute: 1000, Burst: 2000}},
		{PlanBusiness, 30, Rate{PerMinute: 5000, Burst: 10000}},
		{PlanEnterprise, 0, Rate{}},
		{Plan{Name: "custom", MaxAgents: 4}, 4, Rate{}},
	}
	for _, tt := range tests {
		if tt.plan.MaxAgents != tt.maxAgents || tt.plan.TierRate() != tt.rate {
			t.Errorf("%s: %d agents, rate %+v; want %d, %+v", tt.plan.Name, tt.plan.MaxAgents, tt.plan.TierRate(), tt.maxAgents, tt.rate)
		}
	}
}

func TestMaskKey(t *testing.T) {
	for key, want := range map[string]string{
		"px_live_abcdef123456": "px_l...3456",
		"short":                "key-*****",
	} {
		if got := maskKey(key); got != want {
			t.Errorf("maskKey(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Keys) != 1 || cfg.Keys[0].Key != DefaultAPIKey || cfg.Keys[0].Plan.MaxAgents != 0 ||
		cfg.MaxBodyBytes != DefaultMaxBodyBytes || cfg.ErrorShape != ShapeDetail || cfg.Logger == nil {
		t.Errorf("defaults = %+v", cfg)
	}
}
