package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
)

// DossierDeps are the stores the demo's evidence dossier goes through.
type DossierDeps struct {
	Dossiers *dossier.Store
	Files    *media.Files
	Org      *org.Store
}

// DossierReport says what LoadDossier made.
type DossierReport struct {
	Requirements, Items, Files int
}

// demoRoundName names the demo's dossier round; it is made once.
const demoRoundName = "全国文明城市测评材料申报（演示）"

// LoadDossier makes the demo district's dossier round: requirements for
// the sample framework's 材料审核 criteria, an evaluation date four months
// ahead (so the default period runs eight months back and four ahead), and
// items in every state — approved, submitted, returned, overdue, pending —
// with real small PDFs and photos generated here.
func LoadDossier(ctx context.Context, d DossierDeps, now time.Time) (DossierReport, error) {
	var rep DossierReport
	sys := access.System()
	rounds, err := d.Dossiers.Rounds(ctx, sys)
	if err != nil {
		return rep, err
	}
	for _, r := range rounds {
		if r.Name == demoRoundName {
			return rep, nil
		}
	}
	office, err := demoActor(ctx, d.Org, "office")
	if err != nil {
		return rep, err
	}
	community, err := demoActor(ctx, d.Org, "shequ")
	if err != nil {
		return rep, err
	}
	street, err := demoActor(ctx, d.Org, "handler")
	if err != nil {
		return rep, err
	}
	eval := now.In(calendar.Shanghai()).AddDate(0, 4, 0).Format("2006-01-02")
	round, err := d.Dossiers.CreateRound(ctx, office, dossier.RoundInput{Name: demoRoundName, EvaluationOn: eval, RegionCode: District})
	if err != nil {
		return rep, fmt.Errorf("demo dossier round: %w", err)
	}
	unit := func(code string) int64 {
		id, _ := org.UnitIDByCode(ctx, d.Org.DB, code)
		return id
	}
	streets := []int64{unit("410411002"), unit("410411003"), unit("410411004")}
	reqs := []dossier.RequirementInput{
		{CriterionCode: "1.2.1.3", Title: "新时代文明实践站活动台账", Description: "每月活动计划、签到表、活动照片及总结。",
			Types: []dossier.MaterialType{dossier.TypeAccount, dossier.TypePhoto}, Frequency: dossier.Monthly,
			LeadUnitID: community.UnitID, CoopUnitIDs: []int64{street.UnitID}},
		{CriterionCode: "1.2.1.3", Title: "实践站建设管理制度", Description: "场地、队伍、活动、台账“四有”制度文件。",
			Types: []dossier.MaterialType{dossier.TypeDocument}, Frequency: dossier.Once, LeadUnitID: community.UnitID},
		{CriterionCode: "1.2.2.2", Title: "注册志愿者及服务时长统计表", Description: "按季度统计注册志愿者人数、占常住人口比例及服务时长。",
			Types: []dossier.MaterialType{dossier.TypeTable, dossier.TypeAccount}, Frequency: dossier.Quarterly,
			LeadUnitID: street.UnitID, CoopUnitIDs: streets},
	}
	for _, in := range reqs {
		if _, err := d.Dossiers.AddRequirement(ctx, office, round.ID, in); err != nil {
			return rep, fmt.Errorf("demo dossier requirement: %w", err)
		}
		rep.Requirements++
	}
	if rep.Items, err = d.Dossiers.OpenRound(ctx, office, round.ID); err != nil {
		return rep, fmt.Errorf("demo dossier round: %w", err)
	}
	today := d.Dossiers.Today()
	for _, who := range []access.Actor{community, street} {
		items, err := d.Dossiers.Items(ctx, who, dossier.ItemFilter{RoundID: round.ID, UnitID: who.UnitID})
		if err != nil {
			return rep, err
		}
		// Past-due items, oldest first: most approved, one returned, two
		// waiting for review, the last one or two left overdue; items not
		// yet due stay pending.
		var past []*dossier.Item
		for _, it := range items {
			if it.DueOn < today {
				past = append(past, it)
			}
		}
		for i, it := range past {
			var outcome string
			switch n := len(past); {
			case i >= n-1:
				continue // 逾期未交
			case i == n-2 && who.UnitID == street.UnitID:
				continue
			case i == n-2:
				outcome = "returned"
			case i == n-3, i == n-4:
				outcome = "submitted"
			default:
				outcome = "approved"
			}
			k, err := demoEvidence(ctx, d, who, it, i)
			if err != nil {
				return rep, err
			}
			rep.Files += k
			switch outcome {
			case "approved":
				_, err = d.Dossiers.Review(ctx, office, it.ID, dossier.Decision{Approve: true})
			case "returned":
				_, err = d.Dossiers.Review(ctx, office, it.ID, dossier.Decision{Reason: "活动照片不清晰，且缺少签到表，请补充后重新提交。"})
			}
			if err != nil {
				return rep, fmt.Errorf("demo dossier review: %w", err)
			}
		}
	}
	return rep, nil
}

// demoEvidence uploads a PDF account and, every other time, a photo.
func demoEvidence(ctx context.Context, d DossierDeps, who access.Actor, it *dossier.Item, seed int) (int, error) {
	n := 0
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, pdfdoc.Notice{Issuer: it.UnitName, Title: it.Title + "（" + it.Period() + "）",
		Date: it.PeriodTo, Sections: []pdfdoc.Section{{Heading: "一、基本情况", Paragraphs: []string{
			"本期共开展理论宣讲、志愿服务、文明实践活动" + fmt.Sprint(3+seed%4) + "场，参与群众" + fmt.Sprint(60+seed*7) + "人次，活动签到表、照片已归档。"}}}}); err != nil {
		return n, fmt.Errorf("demo dossier pdf: %w", err)
	}
	files := []struct {
		title, name string
		data        []byte
	}{{it.Title + "说明", "情况说明.pdf", buf.Bytes()}}
	if seed%2 == 0 {
		files = append(files, struct {
			title, name string
			data        []byte
		}{"活动现场照片", "现场照片.jpg", demoJPEG(seed)})
	}
	for _, f := range files {
		in := dossier.Upload{Title: f.title, ConcernsOn: it.PeriodTo}
		if _, err := d.Dossiers.CheckUpload(ctx, who, it.ID, &in); err != nil {
			return n, fmt.Errorf("demo dossier upload: %w", err)
		}
		stored, err := d.Files.Ingest(ctx, bytes.NewReader(f.data), f.name)
		if err != nil {
			return n, fmt.Errorf("demo dossier file: %w", err)
		}
		in.File = stored
		if _, err := d.Dossiers.AddFile(ctx, who, it.ID, in); err != nil {
			return n, fmt.Errorf("demo dossier upload: %w", err)
		}
		n++
	}
	return n, nil
}

// demoJPEG draws a small scene of a practice station: a wall, a banner, people.
func demoJPEG(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			c := color.RGBA{uint8(200 - y/4), uint8(190 - y/5), uint8(170 + seed*9%60), 255}
			switch {
			case y > 40 && y < 70 && x > 40 && x < 280: // the red banner
				c = color.RGBA{200, 30, 30, 255}
			case y > 150 && (x/20+seed)%3 == 0 && y < 230: // people
				c = color.RGBA{uint8(40 + x%50), 60, uint8(90 + y%40), 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}) //nolint:errcheck // in memory
	return buf.Bytes()
}

func demoActor(ctx context.Context, o *org.Store, username string) (access.Actor, error) {
	c, err := o.FindCredentials(ctx, username)
	if err != nil {
		return access.Actor{}, fmt.Errorf("demo user %s: %w", username, err)
	}
	a, _, err := o.Actor(ctx, c.UserID)
	return a, err
}
