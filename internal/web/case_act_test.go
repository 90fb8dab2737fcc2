package web_test

import (
	"context"
	"html"
	"net/http"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestRefusedMoveStoresNoPhotos: a move the ledger refuses leaves none of
// its uploaded photos behind; an accepted one keeps them.
func TestRefusedMoveStoresNoPhotos(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cat := catalogue(t)
	c, err := app.Problems.Report(context.Background(), access.System(), problem.ReportInput{Source: problem.SourceHotline,
		CategoryID: servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02")), Description: "小区门口堆放装修垃圾",
		RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/problems/" + servertest.Itoa(c.ID)
	tests := []struct {
		name, role, action string
		status             int
		want               string
	}{
		{"rectify before dispatch", "office", "rectify", http.StatusConflict,
			cat.T("problem.illegal_move", cat.T("problem.action.rectify"), cat.T("problem.state.reported"))},
		{"reopen an open case", "office", "reopen", http.StatusConflict,
			cat.T("problem.illegal_move", cat.T("problem.action.reopen"), cat.T("problem.state.reported"))},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := app.SignedIn(t, tc.role)
			b.Get(path)
			photo := servertest.JPEGBytes(300 + i)
			res := b.PostMultipart(path+"/act", map[string]string{"action": tc.action, "note": "已清理"}, map[string][][]byte{"photos": {photo}})
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d", res.Status, tc.status)
			}
			servertest.MustContain(t, html.UnescapeString(res.Body), tc.want)
			if _, err := app.Media.Get(context.Background(), photoHash(photo)); apperr.As(err).Kind != apperr.KindNotFound {
				t.Errorf("a photo of the refused move was stored: %v", err)
			}
		})
	}
	// The check runs the move and keeps nothing.
	office, _, err := app.Org.Actor(context.Background(), servertest.MustAtoi(t, servertest.UserIDByName(t, app, "office")))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Problems.CheckMove(context.Background(), office, c.ID, problem.MoveInput{Action: problem.ActFile}, 0); err != nil {
		t.Fatalf("filing checked: %v", err)
	}
	if after, _ := app.Problems.Get(context.Background(), office, c.ID); after.State != problem.Reported || after.Version != c.Version {
		t.Fatalf("the check moved the case: %s v%d", after.State, after.Version)
	}
}
