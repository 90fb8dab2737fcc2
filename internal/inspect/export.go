package inspect

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// ExportXLSX writes a plan's results as a workbook: one sheet of site
// scores, one of averages by type and by street, one of the criteria that
// failed most. t translates the catalogue keys of the headers.
func ExportXLSX(w io.Writer, res Results, names map[int64]string, t func(key string, args ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheets := []struct {
		name   string
		header []string
		rows   [][]any
	}{
		{t("inspect.xlsx.sites"), []string{t("inspect.site"), t("inspect.site_type"), t("inspect.street"), t("inspect.rate"),
			t("inspect.change"), t("inspect.xlsx.fails"), t("inspect.xlsx.inspector"), t("inspect.assignee")}, nil},
		{t("inspect.xlsx.groups"), []string{t("inspect.xlsx.group"), t("inspect.xlsx.name"), t("inspect.xlsx.sites_count"),
			t("inspect.xlsx.rated"), t("inspect.xlsx.mean")}, nil},
		{t("inspect.worst"), []string{t("inspect.xlsx.code"), t("inspect.xlsx.criterion"), t("inspect.xlsx.fails"), t("inspect.xlsx.checked")}, nil},
	}
	for _, s := range res.Sites {
		assignee := s.AssigneeName
		if s.AssigneeID == 0 {
			assignee = t("inspect.unassigned")
		}
		row := []any{s.SiteName, s.TypeName, s.StreetName, "", "", s.Fails, names[s.InspectorID], assignee}
		if s.HasRate {
			row[3] = round1(s.Rate * 100)
			if s.HasPrevious {
				row[4] = round1(s.Change())
			}
		}
		if !s.Done {
			row[3] = t("inspect.todo")
		}
		sheets[0].rows = append(sheets[0].rows, row)
	}
	for _, g := range res.ByType {
		sheets[1].rows = append(sheets[1].rows, []any{t("inspect.by_type"), g.Name, g.Sites, g.Rated, round1(g.Mean * 100)})
	}
	for _, g := range res.ByStreet {
		sheets[1].rows = append(sheets[1].rows, []any{t("inspect.by_street"), g.Name, g.Sites, g.Rated, round1(g.Mean * 100)})
	}
	sheets[1].rows = append(sheets[1].rows, []any{t("inspect.overall"), res.Plan.Name, res.Overall.Sites, res.Overall.Rated, round1(res.Overall.Mean * 100)})
	for _, c := range res.Worst {
		sheets[2].rows = append(sheets[2].rows, []any{c.Code, c.Text, c.Fails, c.Checked})
	}
	for i, s := range sheets {
		name := s.name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		header := make([]any, len(s.header))
		for k, h := range s.header {
			header[k] = h
		}
		if err := sheetsafe.SetRow(sw, "A1", header); err != nil {
			return fmt.Errorf("header: %w", err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			// Names come from people: text that could start a formula is neutralised.
			if err := sheetsafe.SetRow(sw, cell, row); err != nil {
				return fmt.Errorf("row: %w", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	return f.Write(w)
}

func round1(x float64) float64 {
	if x < 0 {
		return -float64(int(-x*10+0.5)) / 10
	}
	return float64(int(x*10+0.5)) / 10
}
