package dossier

import (
	"archive/zip"
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// IndexEntry is one file of an export, as its index lists it.
type IndexEntry struct {
	Path          string // inside the ZIP
	CriterionCode string
	Requirement   string
	Title         string
	UnitName      string
	Period        string
	ConcernsOn    string
	Status        Status
	Bytes         int64
	hash          string
	kind          media.FileKind
	order         int
}

// Progress is told how far an export has got.
type Progress func(done, total int, bytes int64)

// ExportZIP writes the round's current files (not the replaced ones) to w
// as a ZIP arranged by the framework tree — a folder per item (测评项目),
// indicator (测评指标) and criterion (测评标准), files named by criterion
// code, date and title — followed by 材料索引.xlsx and 材料索引.pdf listing
// every file with its unit, date and review state. Files are copied one
// at a time from the blob store, stored without recompression (they are
// compressed formats already), so memory stays flat however large the
// dossier; only the index rows (a few hundred bytes a file) are held.
func (s *Store) ExportZIP(ctx context.Context, a access.Actor, roundID int64, w io.Writer, progress Progress) error {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("dossier.forbidden")
	}
	entries, err := s.exportEntries(ctx, r)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	var written int64
	// One copy buffer for every file: a file's WriteTo would make a new one each time.
	buf := make([]byte, 256<<10)
	modified := s.now()
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: e.Path, Method: zip.Store, Modified: modified})
		if err != nil {
			return fmt.Errorf("export %s: %w", e.Path, err)
		}
		rc, err := s.Files.Open(ctx, e.hash)
		if err != nil {
			return fmt.Errorf("export %s: %w", e.Path, err)
		}
		n, err := io.CopyBuffer(hw, struct{ io.Reader }{rc}, buf)
		rc.Close()
		if err != nil {
			return fmt.Errorf("export %s: %w", e.Path, err)
		}
		written += n
		if progress != nil {
			progress(i+1, len(entries), written)
		}
	}
	root := zipName(r.Name, 60)
	xw, err := zw.CreateHeader(&zip.FileHeader{Name: root + "/" + s.t("dossier.index_name") + ".xlsx", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return fmt.Errorf("export index: %w", err)
	}
	if err := s.writeIndexXLSX(xw, r, entries); err != nil {
		return err
	}
	// The PDF index is laid out in memory, so a large dossier's index comes
	// in volumes of IndexVolume files, each laid out and written alone.
	for from := 0; from == 0 || from < len(entries); from += IndexVolume {
		to := min(from+IndexVolume, len(entries))
		name := s.t("dossier.index_name") + ".pdf"
		if len(entries) > IndexVolume {
			name = s.t("dossier.index_volume", from/IndexVolume+1, from+1, to) + ".pdf"
		}
		pw, err := zw.CreateHeader(&zip.FileHeader{Name: root + "/" + name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return fmt.Errorf("export index: %w", err)
		}
		if err := s.writeIndexPDF(pw, r, entries[from:to], from, len(entries)); err != nil {
			return err
		}
		debug.FreeOSMemory() // the volume's layout is garbage now; give its memory back before the next
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export close: %w", err)
	}
	return nil
}

// exportEntries lists the round's current files in framework order with
// their paths in the ZIP.
func (s *Store) exportEntries(ctx context.Context, r Round) ([]IndexEntry, error) {
	v, err := s.Framework.Version(ctx, access.System(), r.VersionID)
	if err != nil {
		return nil, err
	}
	// The folder of each criterion: item / indicator / criterion.
	folder := map[int64]string{}
	order := map[int64]int{}
	var walk func(ns []*framework.Node, path []string)
	walk = func(ns []*framework.Node, path []string) {
		for _, n := range ns {
			p := path
			if n.Level != framework.LevelContent {
				p = append(append([]string{}, path...), zipName(n.Code+" "+n.Text, 40))
			}
			if n.IsCriterion() {
				folder[n.ID] = strings.Join(p, "/")
				order[n.ID] = len(order)
			}
			walk(n.Children, p)
		}
	}
	walk(v.Items, nil)
	rows, err := s.DB.Query(ctx, `SELECT q.criterion_id, q.title, i.unit_id, i.period_from, i.period_to, i.due_on, i.state,
		f.title, f.concerns_on, f.hash FROM dossier_file f JOIN dossier_item i ON i.id = f.item_id
		JOIN dossier_requirement q ON q.id = i.requirement_id
		WHERE i.round_id = ? AND f.replaced_by IS NULL ORDER BY q.criterion_id, f.concerns_on, f.id`, r.ID)
	type raw struct {
		crit, unit                int64
		req, from, to, due, title string
		concerns, hash            string
		state                     State
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (raw, error) {
		var x raw
		return x, r.Scan(&x.crit, &x.req, &x.unit, &x.from, &x.to, &x.due, &x.state, &x.title, &x.concerns, &x.hash)
	})
	if err != nil {
		return nil, fmt.Errorf("export files: %w", err)
	}
	var unitIDs, crit []int64
	hashes := map[string]bool{}
	for _, x := range list {
		unitIDs = append(unitIDs, x.unit)
		crit = append(crit, x.crit)
		hashes[x.hash] = true
	}
	names, err := org.UnitNames(ctx, s.DB, unitIDs)
	if err != nil {
		return nil, err
	}
	texts, err := framework.NodeTexts(ctx, s.DB, crit)
	if err != nil {
		return nil, err
	}
	hashList := make([]string, 0, len(hashes))
	for h := range hashes {
		hashList = append(hashList, h)
	}
	files, err := s.Files.GetMany(ctx, hashList)
	if err != nil {
		return nil, err
	}
	today := s.today()
	root := zipName(r.Name, 60)
	used := map[string]int{}
	out := make([]IndexEntry, 0, len(list))
	for _, x := range list {
		code := texts[x.crit].Code
		dir := folder[x.crit]
		if dir == "" {
			dir = zipName(code, 40)
		}
		f := files[x.hash]
		base := zipName(code+"_"+x.concerns+"_"+x.title, 80)
		name := root + "/" + dir + "/" + base + f.Kind.Ext()
		if n := used[name]; n > 0 {
			name = root + "/" + dir + "/" + base + "（" + strconv.Itoa(n+1) + "）" + f.Kind.Ext()
		}
		used[name]++
		it := Item{State: x.state, DueOn: x.due}
		out = append(out, IndexEntry{Path: name, CriterionCode: code, Requirement: x.req, Title: x.title, UnitName: names[x.unit],
			Period: PeriodLabel(x.from, x.to), ConcernsOn: x.concerns, Status: it.Status(today), Bytes: f.Bytes, hash: x.hash, kind: f.Kind, order: order[x.crit]})
	}
	// Framework order, then date (the query's order within a criterion).
	slices.SortStableFunc(out, func(a, b IndexEntry) int { return a.order - b.order })
	return out, nil
}

// zipName makes a path segment of text: no slashes or characters Windows
// refuses, no control characters, at most max runes.
func zipName(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.TrimSpace(strings.Trim(s, "."))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	if s == "" {
		s = "_"
	}
	return s
}

func (s *Store) indexHeader() []string {
	return []string{s.t("dossier.col.path"), s.t("dossier.col.criterion"), s.t("dossier.col.requirement"), s.t("dossier.col.file_title"),
		s.t("dossier.col.unit"), s.t("dossier.col.period"), s.t("dossier.col.concerns"), s.t("dossier.col.state")}
}

func (s *Store) indexRow(e IndexEntry) []string {
	return []string{e.Path, e.CriterionCode, e.Requirement, e.Title, e.UnitName, e.Period, e.ConcernsOn, s.t(e.Status.Key())}
}

// writeIndexXLSX writes the index as a one-sheet workbook, streamed row
// by row into its own ZIP (inline strings, no shared-string table), so
// that its memory does not grow with the rows as a spreadsheet library's
// does. Cells go through sheetsafe like every sheet wenming writes.
func (s *Store) writeIndexXLSX(w io.Writer, _ Round, entries []IndexEntry) error {
	zw := zip.NewWriter(w)
	part := func(name, body string) error {
		pw, err := zw.Create(name)
		if err == nil {
			_, err = io.WriteString(pw, body)
		}
		return err
	}
	const xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	for _, p := range [][2]string{
		{"[Content_Types].xml", xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
		{"_rels/.rels", xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", xmlHead + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="` + xmlText(s.t("dossier.index_name")) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
	} {
		if err := part(p[0], p[1]); err != nil {
			return fmt.Errorf("index sheet: %w", err)
		}
	}
	sw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return fmt.Errorf("index sheet: %w", err)
	}
	bw := bufio.NewWriterSize(sw, 64<<10)
	bw.WriteString(xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	row := func(n int, cells []string) {
		bw.WriteString(`<row r="` + strconv.Itoa(n) + `">`)
		for i, c := range cells {
			ref, _ := excelize.CoordinatesToCellName(i+1, n)
			bw.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">` + xmlText(sheetsafe.Text(c)) + `</t></is></c>`)
		}
		bw.WriteString(`</row>`)
	}
	row(1, s.indexHeader())
	for i, e := range entries {
		row(i+2, s.indexRow(e))
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("index sheet: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("index sheet: %w", err)
	}
	return nil
}

// xmlText escapes s for XML character data and drops the characters XML
// 1.0 cannot hold.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF && r != utf8.RuneError:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IndexVolume is how many files one PDF index volume lists.
const IndexVolume = 1000

// writeIndexPDF writes the index of entries (from offset on, of total) as
// a Chinese PDF table.
func (s *Store) writeIndexPDF(w io.Writer, r Round, entries []IndexEntry, offset, total int) error {
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = []string{strconv.Itoa(offset + i + 1), e.CriterionCode, e.Title, e.UnitName, e.ConcernsOn, s.t(e.Status.Key())}
	}
	n := pdfdoc.Notice{
		Title: s.t("dossier.index_title", r.Name),
		Date:  s.now().In(calendar.Shanghai()).Format("2006年1月2日"),
		Sections: []pdfdoc.Section{{
			Paragraphs: []string{s.t("dossier.index_summary", total, r.EvaluationOn)},
			Tables: []pdfdoc.Table{{Header: []string{s.t("dossier.col.no"), s.t("dossier.col.criterion"), s.t("dossier.col.file_title"),
				s.t("dossier.col.unit"), s.t("dossier.col.concerns"), s.t("dossier.col.state")},
				Rows: rows, Widths: []float64{12, 20, 50, 40, 20, 16}}},
		}},
	}
	if err := pdfdoc.Render(w, n); err != nil {
		return fmt.Errorf("index pdf: %w", err)
	}
	return nil
}

// Export is a background ZIP export of a round.
type Export struct {
	ID        int64
	RoundID   int64
	State     string // running, done, failed
	Total     int
	Done      int
	Bytes     int64
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Percent is how far the export has got, 0..100.
func (e Export) Percent() int {
	if e.State == "done" {
		return 100
	}
	if e.Total == 0 {
		return 0
	}
	return 100 * e.Done / e.Total
}

// staleAfter is how long a running export may go without progress before
// it counts as failed (its server stopped).
const staleAfter = 10 * time.Minute

func exportKey(id int64) string { return "dossier-" + strconv.FormatInt(id, 10) + ".zip" }

// StartExport begins a background export of the round into the blob
// store and returns its job, whose progress GetExport reads.
func (s *Store) StartExport(ctx context.Context, a access.Actor, roundID int64) (int64, error) {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return 0, err
	}
	if !r.CanManage(a) {
		return 0, apperr.Forbidden("dossier.forbidden")
	}
	now := db.Millis(s.now())
	var id int64
	if err := s.DB.ExecReturning(ctx, `INSERT INTO dossier_export (round_id, state, created_by, created_at, updated_at)
		VALUES (?, 'running', ?, ?, ?) RETURNING id`, roundID, db.NullID(a.UserID), now, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("start dossier export: %w", err)
	}
	go s.runExport(context.WithoutCancel(ctx), a, roundID, id)
	return id, nil
}

// runExport writes the ZIP through a pipe into the blob store, recording
// progress at most every half second.
func (s *Store) runExport(ctx context.Context, a access.Actor, roundID, id int64) {
	ctx, cancel := context.WithTimeout(ctx, 6*time.Hour)
	defer cancel()
	pr, pw := io.Pipe()
	var last time.Time
	progress := func(done, total int, bytes int64) {
		if time.Since(last) < 500*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		s.DB.Exec(ctx, "UPDATE dossier_export SET done = ?, total = ?, bytes = ?, updated_at = ? WHERE id = ?", //nolint:errcheck // progress only
			done, total, bytes, db.Millis(s.now()), id)
	}
	go func() {
		pw.CloseWithError(s.ExportZIP(ctx, a, roundID, pw, progress))
	}()
	err := s.Files.PutBlob(ctx, exportKey(id), pr)
	pr.CloseWithError(err)
	state, msg := "done", ""
	if err != nil {
		state, msg = "failed", err.Error()
		if s.Log != nil {
			s.Log.Warn("dossier export", "export", id, "err", err)
		}
	}
	if _, err := s.DB.Exec(ctx, "UPDATE dossier_export SET state = ?, error = ?, updated_at = ? WHERE id = ?", state, msg, db.Millis(s.now()), id); err != nil && s.Log != nil {
		s.Log.Warn("dossier export state", "export", id, "err", err)
	}
}

// GetExport returns an export job of a round the actor manages.
func (s *Store) GetExport(ctx context.Context, a access.Actor, id int64) (Export, error) {
	var e Export
	var created, updated int64
	err := s.DB.QueryRow(ctx, "SELECT id, round_id, state, total, done, bytes, error, created_at, updated_at FROM dossier_export WHERE id = ?", id).
		Scan(&e.ID, &e.RoundID, &e.State, &e.Total, &e.Done, &e.Bytes, &e.Error, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFound("dossier.export_not_found")
	}
	if err != nil {
		return e, fmt.Errorf("read dossier export: %w", err)
	}
	e.CreatedAt, e.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	r, err := s.Round(ctx, a, e.RoundID)
	if err != nil {
		return e, apperr.NotFound("dossier.export_not_found")
	}
	if !r.CanManage(a) {
		return e, apperr.NotFound("dossier.export_not_found")
	}
	if e.State == "running" && s.now().Sub(e.UpdatedAt) > staleAfter {
		e.State, e.Error = "failed", "stale"
	}
	return e, nil
}

// OpenExport opens a finished export's ZIP.
func (s *Store) OpenExport(ctx context.Context, a access.Actor, id int64) (io.ReadCloser, Export, error) {
	e, err := s.GetExport(ctx, a, id)
	if err != nil {
		return nil, e, err
	}
	if e.State != "done" {
		return nil, e, apperr.Conflict("dossier.export_not_ready")
	}
	rc, err := s.Files.OpenBlob(ctx, exportKey(id))
	return rc, e, err
}

// MB is the bytes written so far in MB with one decimal.
func (e Export) MB() string { return strconv.FormatFloat(float64(e.Bytes)/(1<<20), 'f', 1, 64) }
