//go:build browser

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyRound gives one community six households and plans a round of
// three with one reserve for the demo inspector, supervised by the
// street's handler.
func surveyRound(t *testing.T, app *server.App) survey.Round {
	t.Helper()
	ctx := context.Background()
	office := actorNamed(t, app, "office")
	for i := 1; i <= 6; i++ {
		if _, err := app.Surveys.AddHousehold(ctx, office, survey.HouseholdInput{Community: "410411001001", Address: "建设路 88 号院",
			Building: strconv.Itoa(i), UnitNo: "1", Room: "101", HeadName: "王建国", HeadPhone: fmt.Sprintf("1390000%04d", i),
			Residents: 3, Eligible: true}); err != nil {
			t.Fatal(err)
		}
	}
	qid, err := app.Surveys.EnsureSample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := app.Surveys.CreateRound(ctx, office, survey.RoundInput{Name: "模拟入户调查（浏览器）", QuestionnaireID: qid,
		Areas: []string{"410411001001"}, Mode: survey.ModeMock, StartsOn: "2026-11-01", EndsOn: "2099-12-31",
		Sampling: survey.Sampling{Per: survey.PerCommunity, N: 3, Reserve: 1, Seed: 5}, MaxAbsent: 3,
		Interviewers: []int64{actorNamed(t, app, "inspector").UserID}, Assign: survey.AssignEven,
		Supervisors: map[string]int64{"410411001": actorNamed(t, app, "handler").UserID}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// surveyAnswerCurrent answers the question on screen as a resident who
// knows and supports the campaign, has not taken part (B4 否, so B5 is
// skipped) and is 满意 with everything; optional open questions are left.
func surveyAnswerCurrent(code *string) chromedp.Action[chromedp.Void] {
	read := chromedp.Evaluate[string](`document.querySelector('fieldset.question.current').getAttribute('data-q')`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		c, err := read(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		*code = c
		cur := `fieldset.question.current `
		var step chromedp.Action[chromedp.Void]
		switch {
		case c == "B4":
			step = chromedp.Click(chromedp.CSS(cur + `input[value="否"]`))
		case c == "D2":
			step = chromedp.SendKeys(chromedp.CSS(cur+`input[type=number]`), "12")
		case c == "D1":
			step = chromedp.Click(chromedp.CSS(cur + `label.choice:first-child input`))
		case c[0] == 'A' && c != "A6", c[0] == 'B':
			step = chromedp.Click(chromedp.CSS(cur + `input[value="是"]`))
		case c[0] == 'C' && c != "C9":
			step = chromedp.Click(chromedp.CSS(cur + `input[value="满意"]`))
		default:
			return chromedp.Void{}, nil // optional: left empty
		}
		_, err = step(ctx, t)
		return chromedp.Void{}, err
	}
}

// TestSurveyInterviewOnPhone: on a phone the interviewer records a refusal
// with its reason and an absence, does one household's interview a
// question a screen, reloads in the middle without losing the answers and
// submits; the street's supervisor approves, and the office's 三率一度 change.
func TestSurveyInterviewOnPhone(t *testing.T) {
	base, app := startAppWith(t)
	r := surveyRound(t, app)
	round := base + "/surveys/rounds/" + strconv.FormatInt(r.ID, 10)
	ctx := newBrowser(t)
	var samples []int64
	var visitMsg, afterAbsent string
	if err := chromedp.Do(ctx,
		onPhone(),
		signIn(base, "inspector", "wenming-inspector-2026"),
		geolocation(base, true, 33.70, 113.33),
		chromedp.Navigate(round+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(`#my-households`)),
		evalInto(`Array.from(document.querySelectorAll('#my-households li[data-sample]')).map(function(l){return +l.getAttribute('data-sample');})`, &samples),
	); err != nil {
		t.Fatal(err)
	}
	if len(samples) != 3 {
		t.Fatalf("the interviewer sees %d households, want 3", len(samples))
	}
	form := func(i int) string { return fmt.Sprintf(`li[data-sample="%d"] form.visit-form `, samples[i]) }
	var released int
	if err := chromedp.Do(ctx,
		// A refusal without a reason is refused; with one, a reserve comes.
		chromedp.SetValue(chromedp.CSS(form(1)+`select[name=outcome]`), "refused"),
		clickAndWait(form(1)+`button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.alert`)),
		chromedp.SetValue(chromedp.CSS(form(1)+`select[name=outcome]`), "refused"),
		chromedp.SendKeys(chromedp.CSS(form(1)+`input[name=reason]`), "家中有事，不便接受访问"),
		clickAndWait(form(1)+`button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#visit-result`)),
		textInto(`#visit-result`, &visitMsg),
		intInto(`document.querySelectorAll('#my-households li[data-sample]').length`, &released),
		chromedp.SetValue(chromedp.CSS(form(2)+`select[name=outcome]`), "absent"),
		clickAndWait(form(2)+`button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#visit-result`)),
		textInto(`#visit-result`, &afterAbsent),
		screenshotTo(t, "survey-households-phone.png"),
	); err != nil {
		t.Fatal(err)
	}
	if released != 4 || visitMsg == "" || afterAbsent == "" {
		t.Fatalf("after the refusal %d households (%q), after the absence %q", released, visitMsg, afterAbsent)
	}

	// The interview, one question a screen.
	interview := fmt.Sprintf("%s/samples/%d/interview", round, samples[0])
	var choice []rect
	var code, stepText string
	var a1Kept bool
	steps := 0
	if err := chromedp.Do(ctx,
		chromedp.Navigate(interview),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.question.current`)),
		rectsInto(`fieldset.question.current label.choice`, &choice),
		// Next without an answer to a required question is stopped.
		chromedp.Click(chromedp.CSS(`[data-step-next]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-step-error]`)),
	); err != nil {
		t.Fatal(err)
	}
	for i, c := range choice {
		if c.H < minTarget || c.W < 200 {
			t.Errorf("choice %d is %.0f × %.0f px", i, c.W, c.H)
		}
	}
	answer := func(n int) {
		t.Helper()
		for ; n > 0; n-- {
			if err := chromedp.Do(ctx, surveyAnswerCurrent(&code), chromedp.Click(chromedp.CSS(`[data-step-next]`))); err != nil {
				t.Fatalf("answer %s: %v", code, err)
			}
			steps++
		}
	}
	answer(3) // A1, A2, A3
	if err := chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.question.current`)),
		evalInto(`document.querySelector('fieldset.question.current').getAttribute('data-q')`, &code),
		evalInto(`document.querySelector('fieldset[data-q=A1] input[value="是"]').checked`, &a1Kept),
		textInto(`[data-step-of]`, &stepText),
	); err != nil {
		t.Fatal(err)
	}
	if code != "A4" || !a1Kept {
		t.Fatalf("after the reload: on %s, A1 kept %v (%s)", code, a1Kept, stepText)
	}
	for guard := 0; guard < 40; guard++ {
		var atEnd bool
		if err := chromedp.Do(ctx, evalInto(`document.getElementById('survey-interview').classList.contains('at-end')`, &atEnd)); err != nil {
			t.Fatal(err)
		}
		if atEnd {
			break
		}
		answer(1)
		if code == "B5" {
			t.Fatal("B5 was shown although B4 was 否")
		}
	}
	var result string
	if err := chromedp.Do(ctx,
		surveyAnswerCurrent(&code),
		screenshotTo(t, "survey-interview-phone.png"),
		clickAndWait(`[data-submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#interview-result`)),
		textInto(`#interview-result h2`, &result),
		signOut(),
	); err != nil {
		t.Fatal(err)
	}
	if result != "问卷已提交" {
		t.Fatalf("after submitting: %q", result)
	}

	// The office sees the visits but no 知晓率 before the review.
	var before, after, visit string
	if err := chromedp.Do(ctx,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(round+"/results"),
		chromedp.WaitVisible(chromedp.CSS(`#survey-kpis`)),
		textInto(`[data-figure=awareness] .num`, &before),
		signOut(),
		signIn(base, "handler", "wenming-handler-2026"),
		chromedp.Navigate(round+"/review"),
		clickAndWait(`#review-queue a.button`),
		clickAndWait(`#review-form button[value=approve]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		signOut(),
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(round+"/results"),
		chromedp.WaitVisible(chromedp.CSS(`#survey-kpis`)),
		textInto(`[data-figure=awareness] .num`, &after),
		textInto(`[data-figure=visit] .num`, &visit),
		screenshotTo(t, "survey-results.png"),
	); err != nil {
		t.Fatal(err)
	}
	// 3 drawn + 1 released reserve; visited: the interview, the refusal, the absence.
	if before != "—" || after != "100.0%" || visit != "75.0%" {
		t.Fatalf("知晓率 before %q after %q, 入户率 %q", before, after, visit)
	}
	t.Logf("interview of %d screens; %s", steps+1, stepText)
}
