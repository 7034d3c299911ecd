package kefu

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLedgerRefusals(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	msg := userMessage(t0)
	tests := []struct {
		name     string
		ledger   QuotaLedger
		at       time.Duration
		rule     QuotaRule // "" means allowed
		contains []string
	}{
		{"nothing granted", QuotaLedger{}, 0, RuleWindow, []string{"no reply window"}},
		{"fresh message", QuotaLedger{Grants: []QuotaGrant{msg}}, time.Minute, "", []string{"5 of 5 replies left until 2026-05-03 09:00:00"}},
		{"five used", QuotaLedger{Grants: []QuotaGrant{msg}, Sends: sendsAt(t0.Add(time.Second), 5)}, time.Minute, RuleCount,
			[]string{"all 5 replies", "since the user's last message", "closes at 2026-05-03 09:00:00"}},
		{"48 hours later", QuotaLedger{Grants: []QuotaGrant{msg}}, 48 * time.Hour, RuleWindow,
			[]string{"closed at 2026-05-03 09:00:00", "48 hours after the user's last message", "reopens when the user writes"}},
		{"enter window over", QuotaLedger{Grants: []QuotaGrant{enterSession(t0)}}, time.Minute, RuleWindow,
			[]string{"closed at 2026-05-01 09:01:00", "entered the chat"}},
		{"enter sends used", QuotaLedger{Grants: []QuotaGrant{enterSession(t0)}, Sends: sendsAt(t0, 2)}, 10 * time.Second, RuleCount,
			[]string{"all 2 replies allowed after the user entered the chat"}},
		{"45015 closes early", QuotaLedger{Grants: []QuotaGrant{msg}, Corrections: []QuotaCorrection{{At: t0.Add(time.Hour), Code: WxWindowClosed}}},
			2 * time.Hour, RuleWindow, []string{"45015", "2026-05-01 10:00:00"}},
		{"45047 uses up", QuotaLedger{Grants: []QuotaGrant{msg}, Corrections: []QuotaCorrection{{At: t0.Add(time.Hour), Code: WxQuotaUsedUp}}},
			2 * time.Hour, RuleCount, []string{"45047"}},
		{"a new message after a correction reopens", QuotaLedger{
			Grants:      []QuotaGrant{msg, userMessage(t0.Add(3 * time.Hour))},
			Corrections: []QuotaCorrection{{At: t0.Add(time.Hour), Code: WxWindowClosed}}}, 4 * time.Hour, "", []string{"5 of 5"}},
		{"a refusal crossing a fresh message is ignored", QuotaLedger{
			Grants:      []QuotaGrant{userMessage(t0.Add(time.Hour))},
			Corrections: []QuotaCorrection{{At: t0.Add(time.Hour + 800*time.Millisecond), Code: WxWindowClosed}}},
			2 * time.Hour, "", []string{"5 of 5"}},
		{"entering inside a message window keeps its allowance", QuotaLedger{
			Grants: []QuotaGrant{msg, enterSession(t0.Add(time.Hour))}, Sends: sendsAt(t0.Add(time.Minute), 1)},
			time.Hour + time.Second, "", []string{"4 of 5 replies left until 2026-05-03 09:00:00"}},
		{"entering after the message window's sends are used grants its own", QuotaLedger{
			Grants: []QuotaGrant{msg, enterSession(t0.Add(time.Hour))}, Sends: sendsAt(t0.Add(time.Minute), 5)},
			time.Hour + time.Second, "", []string{"2 of 5 replies left"}},
		{"a refusal well after a message counts", QuotaLedger{
			Grants:      []QuotaGrant{msg},
			Corrections: []QuotaCorrection{{At: t0.Add(3 * time.Second), Code: WxQuotaUsedUp}}},
			time.Minute, RuleCount, []string{"45047"}},
		{"pending messages count at now, after a newer grant", QuotaLedger{
			Grants: []QuotaGrant{enterSession(t0), userMessage(t0.Add(10 * time.Second))}, Pending: sendsAt(t0.Add(time.Second), 2)},
			11 * time.Second, "", []string{"3 of 5 replies left"}},
		{"correction in the future is ignored", QuotaLedger{Grants: []QuotaGrant{msg}, Corrections: []QuotaCorrection{{At: t0.Add(5 * time.Hour), Code: WxWindowClosed}}},
			time.Hour, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.ledger.At(t0.Add(tc.at))
			err := st.Refusal()
			if tc.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else {
				var r *QuotaRefusal
				if !errors.As(err, &r) || r.Rule != tc.rule {
					t.Fatalf("Refusal() = %v; want rule %q", err, tc.rule)
				}
				if ErrorCodeOf(err) != EQuota || ErrorMessageOf(err) != err.Error() {
					t.Errorf("the refusal is not an EQuota *Error: %q %q", ErrorCodeOf(err), ErrorMessageOf(err))
				}
			}
			for _, want := range tc.contains {
				if !strings.Contains(st.Explain(), want) {
					t.Errorf("Explain() = %q; want it to contain %q", st.Explain(), want)
				}
			}
		})
	}
}

// TestLedgerAgreesWithComputeQuota: without corrections the ledger is ComputeQuota.
func TestLedgerAgreesWithComputeQuota(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	grants := []QuotaGrant{enterSession(t0), userMessage(t0.Add(30 * time.Second)), enterSession(t0.Add(47 * time.Hour))}
	sends := concat(sendsAt(t0.Add(time.Second), 3), sendsAt(t0.Add(47*time.Hour+time.Second), 4))
	for step := time.Duration(0); step < 50*time.Hour; step += 17 * time.Minute {
		now := t0.Add(step)
		got := QuotaLedger{Grants: grants, Sends: sends}.At(now)
		if got.QuotaState != ComputeQuota(grants, sends, now) {
			t.Fatalf("at %v: ledger %+v, ComputeQuota %+v", step, got.QuotaState, ComputeQuota(grants, sends, now))
		}
	}
}
