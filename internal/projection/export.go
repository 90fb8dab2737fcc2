package projection

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// WriteXLSX writes the projection as a workbook: the methods' points and
// every criterion with each method's figures, its points and its units,
// so every figure can be recomputed in the sheet. t translates catalogue
// keys.
func WriteXLSX(p Projection, t func(key string, args ...any) string, out io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const methods, criteria = "测评方法", "测评标准"
	if err := f.SetSheetName("Sheet1", methods); err != nil {
		return err
	}
	if _, err := f.NewSheet(criteria); err != nil {
		return err
	}
	r2 := func(x float64) float64 { return math.Round(x*10000) / 10000 }
	sw, err := f.NewStreamWriter(methods)
	if err != nil {
		return err
	}
	rows := [][]any{{t("projection.title"), p.AreaName, p.VersionName},
		{t("projection.total"), r2(p.Achieved), t("projection.lost"), r2(p.Lost), t("projection.unknown"), r2(p.Unknown)},
		{t("projection.method"), t("projection.weight"), t("projection.criteria"), t("projection.known"), t("projection.achieved"), t("projection.lost"), t("projection.unknown")}}
	for _, m := range p.Methods {
		rows = append(rows, []any{t(m.Method.Key()), m.Weight, m.Criteria, m.Known, r2(m.Achieved), r2(m.Lost), r2(m.Unknown)})
	}
	for i, row := range rows {
		if err := sheetsafe.SetRow(sw, fmt.Sprintf("A%d", i+1), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if sw, err = f.NewStreamWriter(criteria); err != nil {
		return err
	}
	head := []any{"编码", t("projection.criterion"), t("projection.full_score")}
	for _, m := range framework.Methods() {
		head = append(head, t(m.Key())+" 达成", t(m.Key())+" 分子", t(m.Key())+" 分母", t(m.Key())+" 分到分值")
	}
	head = append(head, t("projection.achieved"), t("projection.lost"), t("projection.unknown"), t("projection.units"))
	if err := sheetsafe.SetRow(sw, "A1", head); err != nil {
		return err
	}
	for i, c := range p.Criteria {
		row := []any{c.Code, c.Text, c.Score}
		for _, m := range framework.Methods() {
			var part *Part
			for j := range c.Parts {
				if c.Parts[j].Method == m {
					part = &c.Parts[j]
				}
			}
			switch {
			case part == nil:
				row = append(row, "", "", "", "")
			case !part.Known:
				row = append(row, t("projection.nodata"), "", "", r2(part.Worth))
			default:
				row = append(row, r2(part.Achievement()), part.Num, part.Den, r2(part.Worth))
			}
		}
		var units []string
		for _, u := range c.Units {
			name := u.Name
			if u.UnitID == 0 {
				name = t("projection.no_unit")
			}
			units = append(units, fmt.Sprintf("%s %.2f", name, u.Lost))
		}
		row = append(row, r2(c.Achieved), r2(c.Lost), r2(c.Unknown), strings.Join(units, "；"))
		if err := sheetsafe.SetRow(sw, fmt.Sprintf("A%d", i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(out)
}
