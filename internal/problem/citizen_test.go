package problem_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

// citizenReport files a report through the public form, with its token.
func (w *world) citizenReport(t *testing.T) (*problem.Case, string) {
	t.Helper()
	c, token, err := w.app.Problems.ReportTracked(context.Background(), access.Actor{}, problem.ReportInput{
		Source: problem.SourceCitizen, Description: "小区门口垃圾满溢", RegionCode: "410411001001",
		ReporterName: "张三", ReporterPhone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	return c, token
}

func stepKeys(st *problem.PublicStatus) []string {
	var out []string
	for _, s := range st.Steps {
		out = append(out, s.Key)
	}
	return out
}

// TestTrackFollowsTheCase: the token opens the case's public status at
// every step of its life cycle: state, unit type, public steps only, and
// the after-photo only once closed. The table keeps only the token's hash.
func TestTrackFollowsTheCase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	c, token := w.citizenReport(t)
	if len(token) < 43 {
		t.Fatalf("token %q is shorter than 256 bits", token)
	}
	var stored string
	if err := w.app.DB.QueryRow(ctx, "SELECT token_hash FROM problem_track WHERE problem_id = ?", c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if stored == token || stored != hex.EncodeToString(sum[:]) {
		t.Fatalf("stored %q, want the SHA-256 of the token", stored)
	}
	steps := []struct {
		who      string
		in       problem.MoveInput
		state    problem.State
		unitType string
		last     []string // the last public steps
		after    bool
	}{
		{"", problem.MoveInput{}, problem.Reported, "", []string{"citizen.step.reported"}, false},
		{"office", problem.MoveInput{Action: problem.ActFile, CategoryID: w.catID}, problem.Filed, "", []string{"citizen.step.filed"}, false},
		{"office", problem.MoveInput{Action: problem.ActDispatch}, problem.Dispatched, "citizen.unit.community", []string{"citizen.step.dispatched"}, false},
		{"shequ", problem.MoveInput{Action: problem.ActAccept}, problem.InProgress, "citizen.unit.community", []string{"citizen.step.dispatched"}, false},
		{"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "内部备注：已联系钱社区", Photos: []string{w.photo}}, problem.Rectified,
			"citizen.unit.community", []string{"citizen.step.rectified"}, false},
		{"inspector", problem.MoveInput{Action: problem.ActVerifyFail, Note: "未清理干净"}, problem.InProgress, "citizen.unit.community",
			[]string{"citizen.step.rectified"}, false},
		{"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "已清走", Photos: []string{w.photo}}, problem.Rectified,
			"citizen.unit.community", []string{"citizen.step.rectified"}, false},
		{"inspector", problem.MoveInput{Action: problem.ActVerifyPass}, problem.Closed, "citizen.unit.community",
			[]string{"citizen.step.verified", "citizen.step.closed"}, true},
	}
	for _, s := range steps {
		if s.who != "" {
			w.now = w.now.Add(time.Hour)
			w.move(t, s.who, c.ID, s.in)
		}
		st, err := w.app.Problems.Track(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		keys := stepKeys(st)
		if st.State != s.state || st.UnitType != s.unitType || !slices.Equal(keys[len(keys)-len(s.last):], s.last) {
			t.Errorf("after %s: state %s unit %q steps %v, want %s %q …%v", s.in.Action, st.State, st.UnitType, keys, s.state, s.unitType, s.last)
		}
		for _, k := range keys {
			if !slices.Contains([]string{"citizen.step.reported", "citizen.step.filed", "citizen.step.dispatched",
				"citizen.step.rectified", "citizen.step.verified", "citizen.step.closed"}, k) {
				t.Errorf("after %s: step %q is not public", s.in.Action, k)
			}
		}
		if (len(st.After) > 0) != s.after {
			t.Errorf("after %s: after-photos %v, want shown %v", s.in.Action, st.After, s.after)
		}
		ok, err := w.app.Problems.TrackPhoto(ctx, token, w.photo)
		if err != nil || ok != s.after {
			t.Errorf("after %s: TrackPhoto %v %v, want %v", s.in.Action, ok, err, s.after)
		}
		if st.MayRate != (s.state == problem.Closed) {
			t.Errorf("after %s: MayRate %v", s.in.Action, st.MayRate)
		}
	}
	for _, bad := range []string{"", token[:len(token)-1], token + "x", token[:len(token)-1] + "A", stored} {
		if bad == token {
			continue
		}
		if _, err := w.app.Problems.Track(ctx, bad); apperr.As(err).Kind != apperr.KindNotFound {
			t.Errorf("token %q: %v, want not found", bad, err)
		}
	}
}

// TestFeedbackOnceAndCounted: a closed case takes one answer, through its
// token or its signed-in reporter; 不满意 asking to reopen tells the
// office and records an event; the answers are counted per unit.
func TestFeedbackOnceAndCounted(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	close := func(c *problem.Case) {
		t.Helper()
		w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActFile, CategoryID: w.catID})
		w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch})
		w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActAccept})
		w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActRectify, Note: "已清走", Photos: []string{w.photo}})
		w.move(t, "inspector", c.ID, problem.MoveInput{Action: problem.ActVerifyPass})
	}
	_, openToken := w.citizenReport(t)
	if err := w.app.Problems.RateByToken(ctx, openToken, problem.FeedbackInput{Rating: problem.Satisfied}); apperr.As(err).Kind != apperr.KindConflict {
		t.Errorf("an open case was rated: %v", err)
	}
	tests := []struct {
		name   string
		rating problem.Rating
		reopen bool
		notice bool
	}{
		{"satisfied", problem.Satisfied, true, false}, // reopen counts only with 不满意
		{"basic", problem.Basic, false, false},
		{"unsatisfied", problem.Unsatisfied, false, false},
		{"unsatisfied, reopen", problem.Unsatisfied, true, true},
	}
	want := map[problem.Rating]int{}
	var unitID int64
	for _, tc := range tests {
		c, token := w.citizenReport(t)
		close(c)
		in := problem.FeedbackInput{Rating: tc.rating, Comment: "  " + tc.name + "  ", Reopen: tc.reopen}
		if err := w.app.Problems.RateByToken(ctx, token, problem.FeedbackInput{Rating: "great"}); apperr.As(err).Kind != apperr.KindInvalid {
			t.Errorf("%s: an unknown rating: %v", tc.name, err)
		}
		if err := w.app.Problems.RateByToken(ctx, token, in); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := w.app.Problems.RateByToken(ctx, token, problem.FeedbackInput{Rating: problem.Satisfied}); apperr.As(err).Kind != apperr.KindConflict {
			t.Errorf("%s: rated twice: %v", tc.name, err)
		}
		want[tc.rating]++
		st, err := w.app.Problems.Track(ctx, token)
		if err != nil || st.Feedback == nil || st.Feedback.Rating != tc.rating || st.Feedback.Comment != tc.name || st.MayRate ||
			st.Feedback.ReopenAsked != tc.notice {
			t.Errorf("%s: status %+v %v", tc.name, st, err)
		}
		events, err := w.app.Problems.Timeline(ctx, access.System(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Action != problem.ActFeedback || last.Data.Rating != string(tc.rating) || last.Data.ReopenAsked != tc.notice {
			t.Errorf("%s: last event %+v", tc.name, last)
		}
		var n int
		if err := w.app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE problem_id = ? AND kind = 'citizen_unsatisfied' AND user_id = ?",
			c.ID, w.actors["office"].UserID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n == 1) != tc.notice || n > 1 {
			t.Errorf("%s: %d notices to the office", tc.name, n)
		}
		got, _ := w.app.Problems.Get(ctx, access.System(), c.ID)
		if got.State != problem.Closed {
			t.Errorf("%s: the answer moved the case to %s", tc.name, got.State)
		}
		unitID = got.UnitID
	}
	counts, err := w.app.Problems.SatisfactionByUnit(ctx, w.actors["office"], w.now.Add(-time.Hour), w.now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].UnitID != unitID || counts[0].UnitName == "" || counts[0].Satisfied != want[problem.Satisfied] ||
		counts[0].Basic != want[problem.Basic] || counts[0].Unsatisfied != want[problem.Unsatisfied] || counts[0].SatisfiedText() != "50.0%" {
		t.Errorf("counts %+v, want %v for unit %d", counts, want, unitID)
	}
	for _, period := range [][2]time.Time{{w.now.Add(time.Hour), w.now.Add(2 * time.Hour)}, {w.now.Add(-2 * time.Hour), w.now.Add(-time.Hour)}} {
		if counts, err := w.app.Problems.SatisfactionByUnit(ctx, w.actors["office"], period[0], period[1]); err != nil || len(counts) != 0 {
			t.Errorf("outside the period: %+v %v", counts, err)
		}
	}
	// The street above the community sees its answers (it supervises the
	// unit); a handler of a unit with no part in the case sees none.
	if counts, err := w.app.Problems.SatisfactionByUnit(ctx, w.actors["handler"], w.now.Add(-time.Hour), w.now.Add(time.Hour)); err != nil || len(counts) != 1 {
		t.Errorf("the supervising street: %+v %v", counts, err)
	}
	stranger := access.Actor{UserID: 1 << 40, UnitID: 1 << 40, Roles: []access.Role{access.RoleHandler}}
	if counts, err := w.app.Problems.SatisfactionByUnit(ctx, stranger, w.now.Add(-time.Hour), w.now.Add(time.Hour)); err != nil || len(counts) != 0 {
		t.Errorf("handler of another unit: %+v %v", counts, err)
	}
}

// TestRateAsReporter: through an account, only the citizen who reported
// the case answers; staff who see it do not.
func TestRateAsReporter(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	var citizenID int64
	if err := w.app.DB.QueryRow(ctx, "SELECT id FROM app_user WHERE username = 'citizen'").Scan(&citizenID); err != nil {
		t.Fatal(err)
	}
	citizen, _, err := w.app.Org.Actor(ctx, citizenID)
	if err != nil {
		t.Fatal(err)
	}
	if !problem.OwnReportsOnly(citizen) || problem.OwnReportsOnly(w.actors["office"]) || problem.OwnReportsOnly(w.actors["shequ"]) {
		t.Fatal("OwnReportsOnly is wrong for the demo's citizen, office or community handler")
	}
	c, _, err := w.app.Problems.ReportTracked(ctx, citizen, problem.ReportInput{Source: problem.SourceCitizen, Description: "路灯不亮",
		RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := w.citizenReport(t)
	mine, n, err := w.app.Problems.List(ctx, citizen, problem.Filter{})
	if err != nil || n != 1 || mine[0].ID != c.ID {
		t.Fatalf("the citizen's ledger: %d cases %v", n, err)
	}
	if _, err := w.app.Problems.Status(ctx, citizen, other.ID); apperr.As(err).Kind != apperr.KindNotFound {
		t.Errorf("the citizen saw someone else's case: %v", err)
	}
	for _, m := range []struct {
		who string
		in  problem.MoveInput
	}{{"office", problem.MoveInput{Action: problem.ActFile, CategoryID: w.catID}}, {"office", problem.MoveInput{Action: problem.ActDispatch}},
		{"shequ", problem.MoveInput{Action: problem.ActAccept}}, {"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "已修好", Photos: []string{w.photo}}},
		{"inspector", problem.MoveInput{Action: problem.ActVerifyPass}}} {
		w.move(t, m.who, c.ID, m.in)
	}
	tests := []struct {
		name string
		as   access.Actor
		want apperr.Kind
	}{
		{"office", w.actors["office"], apperr.KindForbidden},
		{"community handler", w.actors["shequ"], apperr.KindForbidden},
		{"reporter", citizen, 0},
		{"reporter again", citizen, apperr.KindConflict},
	}
	for _, tc := range tests {
		err := w.app.Problems.Rate(ctx, tc.as, c.ID, problem.FeedbackInput{Rating: problem.Basic})
		if got := apperr.As(err).Kind; (err == nil) != (tc.want == 0) || (err != nil && got != tc.want) {
			t.Errorf("%s: %v, want kind %d", tc.name, err, tc.want)
		}
	}
	st, err := w.app.Problems.Status(ctx, citizen, c.ID)
	if err != nil || st.Feedback == nil || st.Feedback.Rating != problem.Basic || st.MayRate {
		t.Errorf("status after the answer: %+v %v", st, err)
	}
}
