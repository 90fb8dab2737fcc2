package servertest

import (
	"bytes"
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
)

// PDFBytes renders a small real PDF (one page of Chinese text).
func PDFBytes(t testing.TB, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, pdfdoc.Notice{Title: text, Sections: []pdfdoc.Section{{Paragraphs: []string{text}}}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// DossierRound makes a dossier round of the demo district for the
// evaluation date as the office, adds the requirements (units by code in
// Lead and Coop) and opens it unless draft; it returns the round's id.
func DossierRound(t testing.TB, app *App, name, evaluationOn string, draft bool, reqs ...DossierReq) int64 {
	t.Helper()
	ctx := context.Background()
	office := Actor(t, app, "office")
	r, err := app.Dossiers.CreateRound(ctx, office, dossier.RoundInput{Name: name, EvaluationOn: evaluationOn, RegionCode: "410411"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range reqs {
		in := q.Input
		in.LeadUnitID = MustAtoi(t, UnitID(t, app, q.Lead))
		for _, c := range q.Coop {
			in.CoopUnitIDs = append(in.CoopUnitIDs, MustAtoi(t, UnitID(t, app, c)))
		}
		if _, err := app.Dossiers.AddRequirement(ctx, office, r.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	if !draft {
		if _, err := app.Dossiers.OpenRound(ctx, office, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

// DossierReq is a requirement with its units by code.
type DossierReq struct {
	Input dossier.RequirementInput
	Lead  string
	Coop  []string
}
