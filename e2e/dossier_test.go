//go:build browser

package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
)

// TestDossierInBrowser: a community handler uploads a PDF and a photo for
// an item due this month; the office returns it with a reason; the
// handler replaces the photo; the office approves.
func TestDossierInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	office := actorNamed(t, app, "office")
	community, err := org.UnitIDByCode(ctx, app.DB, "410411001001")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(calendar.Shanghai())
	round, err := app.Dossiers.CreateRound(ctx, office, dossier.RoundInput{Name: "测评材料申报", EvaluationOn: now.AddDate(0, 3, 0).Format("2006-01-02"), RegionCode: "410411"})
	if err != nil {
		t.Fatal(err)
	}
	month := now.Format("2006-01")
	if _, err := app.Dossiers.AddRequirement(ctx, office, round.ID, dossier.RequirementInput{CriterionCode: "1.2.1.3", Title: "实践站活动台账",
		Types: []dossier.MaterialType{dossier.TypeAccount, dossier.TypePhoto}, Frequency: dossier.Monthly, PeriodFrom: month, PeriodTo: month,
		LeadUnitID: community}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Dossiers.OpenRound(ctx, office, round.ID); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var pdf bytes.Buffer
	if err := pdfdoc.Render(&pdf, pdfdoc.Notice{Title: "实践站活动记录", Sections: []pdfdoc.Section{{Paragraphs: []string{"本月开展活动四场。"}}}}); err != nil {
		t.Fatal(err)
	}
	// The replacement differs from the first photo.
	files := map[string][]byte{"记录.pdf": pdf.Bytes(), "现场.jpg": sceneJPEG(), "现场清晰.jpg": blueJPEG()}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	upload := func(title, file string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible(chromedp.CSS(`#upload-form`)),
			chromedp.SendKeys(chromedp.CSS(`#upload-form input[name=title]`), title),
			chromedp.SetUploadFiles(chromedp.CSS(`#upload-form input[name=file]`), []string{filepath.Join(dir, file)}),
			clickAndWait(`#upload-form button[type=submit]`),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
	}
	shots := t.TempDir()
	b := newBrowser(t)
	var itemURL, state, listed string
	err = chromedp.Do(b,
		signIn(base, "shequ", "wenming-shequ-2026"),
		clickAndWait(`nav.nav a[href="/dossiers"]`),
		clickAndWait(`a[href="/dossiers/mine"]`),
		chromedp.WaitVisible(chromedp.CSS(`#dossier-items`)),
		textInto(`#dossier-items`, &listed),
		clickAndWait(`#dossier-items a`),
		locationInto(&itemURL),
		upload("本月活动记录", "记录.pdf"),
		upload("活动现场照片", "现场.jpg"),
		chromedp.WaitVisible(chromedp.CSS(`#files img`)),
		textInto(`#item-state`, &state),
		screenshotInto(t, shots, "dossier-uploaded.png"),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(listed, "实践站活动台账") || state != "已提交待审" {
		t.Fatalf("after uploading: %q, list %q", state, listed)
	}

	var reason string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/dossiers/review"),
		chromedp.WaitVisible(chromedp.CSS(`#dossier-items`)),
		clickAndWait(`#dossier-items a`),
		chromedp.WaitVisible(chromedp.CSS(`#review-form`)),
		chromedp.SendKeys(chromedp.CSS(`#review-form input[name=reason]`), "现场照片不清晰，请补充"),
		clickAndWait(`#review-form button[value=return]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`#item-state`, &state),
		signOut(),
		signIn(base, "shequ", "wenming-shequ-2026"),
		chromedp.Navigate(itemURL),
		chromedp.WaitVisible(chromedp.CSS(`#return-reason`)),
		textInto(`#return-reason`, &reason),
		chromedp.Click(chromedp.CSS(`#files li:nth-child(2) summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#files li:nth-child(2) .replace-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#files li:nth-child(2) .replace-form input[name=file]`), []string{filepath.Join(dir, "现场清晰.jpg")}),
		clickAndWait(`#files li:nth-child(2) .replace-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#replaced`)),
		screenshotInto(t, shots, "dossier-replaced.png"),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已退回" || !strings.Contains(reason, "现场照片不清晰") {
		t.Fatalf("after returning: %q %q", state, reason)
	}

	var history, before, after string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		// The projected score before and after: the criterion's one item
		// approved adds its share of the dossier's points.
		chromedp.Navigate(base+"/projection"),
		chromedp.WaitVisible(chromedp.CSS(`#projection-total`)),
		textInto(`#projection-total .num`, &before),
		chromedp.Navigate(itemURL),
		chromedp.WaitVisible(chromedp.CSS(`#review-form`)),
		clickAndWait(`#review-form button[value=approve]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		textInto(`#item-state`, &state),
		textInto(`#history`, &history),
		screenshotInto(t, shots, "dossier-approved.png"),
		chromedp.Navigate(base+"/projection"),
		chromedp.WaitVisible(chromedp.CSS(`#projection-total`)),
		textInto(`#projection-total .num`, &after),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "已通过" {
		t.Errorf("after approving: %q", state)
	}
	if b, a := parsePoints(t, before), parsePoints(t, after); a <= b {
		t.Errorf("the projected score did not rise with the approved item: %s → %s", before, after)
	}
	for _, want := range []string{"上传了", "退回补充", "替换为", "审核通过", "现场.jpg"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
}

// blueJPEG is a small plain photo unlike sceneJPEG.
// parsePoints reads a projected score as the page writes it.
func parsePoints(t *testing.T, s string) float64 {
	t.Helper()
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("projected score %q: %v", s, err)
	}
	return x
}

func blueJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := 0; y < 90; y++ {
		for x := 0; x < 120; x++ {
			img.Set(x, y, color.RGBA{30, 60, uint8(120 + x), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	return buf.Bytes()
}
