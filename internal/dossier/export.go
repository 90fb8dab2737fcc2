package dossier

import (
	"archive/zip"
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
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
}

// Progress is told how far an export has got.
type Progress func(done, total int, bytes int64)

// ExportZIP writes the round's current files (not the replaced ones) to w
// as a ZIP arranged by the framework tree — a folder per item (测评项目),
// indicator (测评指标) and criterion (测评标准), files named by criterion
// code, date and title — followed by 材料索引.xlsx and 材料索引.pdf (in
// volumes for a large dossier) listing every file with its unit, date and
// review state. It streams: the files are read an item at a time in
// framework order (then the items' periods and the files' dates) and
// copied one by one through one buffer,
// stored without recompression (they are compressed formats already); the
// index rows go to a temporary file as the files are written and are read
// back for the index. Memory does not grow with the dossier's bytes nor,
// beyond the ZIP's central directory, with its number of files.
func (s *Store) ExportZIP(ctx context.Context, a access.Actor, roundID int64, w io.Writer, progress Progress) error {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("dossier.forbidden")
	}
	folder, order, err := s.exportFolders(ctx, r)
	if err != nil {
		return err
	}
	crits, err := db.Int64s(ctx, s.DB, `SELECT DISTINCT q.criterion_id FROM dossier_file f JOIN dossier_item i ON i.id = f.item_id
		JOIN dossier_requirement q ON q.id = i.requirement_id WHERE i.round_id = ? AND f.replaced_by IS NULL`, r.ID)
	if err != nil {
		return fmt.Errorf("export criteria: %w", err)
	}
	slices.SortFunc(crits, func(x, y int64) int { return order[x] - order[y] })
	total, err := db.Count(ctx, s.DB, `SELECT COUNT(*) FROM dossier_file f JOIN dossier_item i ON i.id = f.item_id
		WHERE i.round_id = ? AND f.replaced_by IS NULL`, r.ID)
	if err != nil {
		return fmt.Errorf("export count: %w", err)
	}
	texts, err := framework.NodeTexts(ctx, s.DB, crits)
	if err != nil {
		return err
	}
	index, err := os.CreateTemp("", "wenming-dossier-index-*")
	if err != nil {
		return fmt.Errorf("export index: %w", err)
	}
	defer func() {
		index.Close()
		os.Remove(index.Name())
	}()
	iw := bufio.NewWriterSize(index, 64<<10)
	enc := json.NewEncoder(iw)

	zw := zip.NewWriter(w)
	// One copy buffer for every file: a file's WriteTo would make a new one each time.
	buf := make([]byte, 256<<10)
	modified := s.now()
	today := s.today()
	root := zipName(r.Name, 60)
	units := map[int64]string{}
	var written int64
	done := 0
	for _, crit := range crits {
		code := texts[crit].Code
		dir := folder[crit]
		if dir == "" {
			dir = zipName(code, 40)
		}
		used := map[uint64]int{} // names within the criterion's folder, by their hash
		items, err := db.Int64s(ctx, s.DB, `SELECT i.id FROM dossier_item i JOIN dossier_requirement q ON q.id = i.requirement_id
			WHERE i.round_id = ? AND q.criterion_id = ? ORDER BY i.period_from, i.unit_id, i.id`, r.ID, crit)
		if err != nil {
			return fmt.Errorf("export items: %w", err)
		}
		for _, item := range items {
			page, err := s.exportItem(ctx, item, units)
			if err != nil {
				return err
			}
			for _, x := range page {
				if err := ctx.Err(); err != nil {
					return err
				}
				base := zipName(code+"_"+x.concerns+"_"+x.title, 80)
				name := root + "/" + dir + "/" + base + x.file.Kind.Ext()
				key := nameKey(name)
				if n := used[key]; n > 0 {
					name = root + "/" + dir + "/" + base + "（" + strconv.Itoa(n+1) + "）" + x.file.Kind.Ext()
				}
				used[key]++
				hw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
				if err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
				rc, err := s.Files.Open(ctx, x.file.Hash)
				if err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
				n, err := io.CopyBuffer(hw, struct{ io.Reader }{rc}, buf)
				rc.Close()
				if err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
				it := Item{State: x.state, DueOn: x.due}
				if err := enc.Encode(IndexEntry{Path: name, CriterionCode: code, Requirement: x.req, Title: x.title, UnitName: units[x.unit],
					Period: PeriodLabel(x.from, x.to), ConcernsOn: x.concerns, Status: it.Status(today), Bytes: n}); err != nil {
					return fmt.Errorf("export index: %w", err)
				}
				written += n
				done++
				if progress != nil {
					progress(done, max(total, done), written)
				}
			}
		}
	}
	if err := iw.Flush(); err != nil {
		return fmt.Errorf("export index: %w", err)
	}
	xw, err := zw.CreateHeader(&zip.FileHeader{Name: root + "/" + s.t("dossier.index_name") + ".xlsx", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return fmt.Errorf("export index: %w", err)
	}
	next, err := indexReader(index)
	if err != nil {
		return err
	}
	if err := s.writeIndexXLSX(xw, r, next); err != nil {
		return err
	}
	// The PDF index is laid out in memory, so a large dossier's index comes
	// in volumes of IndexVolume files, each laid out and written alone.
	if next, err = indexReader(index); err != nil {
		return err
	}
	for from := 0; from == 0 || from < done; from += IndexVolume {
		var vol []IndexEntry
		for len(vol) < IndexVolume {
			e, ok, err := next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			vol = append(vol, e)
		}
		name := s.t("dossier.index_name") + ".pdf"
		if done > IndexVolume {
			name = s.t("dossier.index_volume", from/IndexVolume+1, from+1, from+len(vol)) + ".pdf"
		}
		pw, err := zw.CreateHeader(&zip.FileHeader{Name: root + "/" + name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return fmt.Errorf("export index: %w", err)
		}
		if err := s.writeIndexPDF(pw, r, vol, from, done); err != nil {
			return err
		}
		if done > IndexVolume {
			debug.FreeOSMemory() // the volume's layout is garbage now; give its memory back before the next
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export close: %w", err)
	}
	return nil
}

// nameKey is a name's 64-bit FNV hash: the export remembers the names it
// used by hash, not by their text.
func nameKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// indexReader rewinds the index file and returns a function reading its
// entries one at a time (ok false at the end).
func indexReader(f *os.File) (func() (IndexEntry, bool, error), error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export index: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	return func() (IndexEntry, bool, error) {
		var e IndexEntry
		if err := dec.Decode(&e); errors.Is(err, io.EOF) {
			return e, false, nil
		} else if err != nil {
			return e, false, fmt.Errorf("export index: %w", err)
		}
		return e, true, nil
	}, nil
}

// exportFolders maps each criterion of the round's version to its folder
// (item / indicator / criterion) and its place in tree order.
func (s *Store) exportFolders(ctx context.Context, r Round) (map[int64]string, map[int64]int, error) {
	v, err := s.Framework.Version(ctx, access.System(), r.VersionID)
	if err != nil {
		return nil, nil, err
	}
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
	return folder, order, nil
}

type exportRow struct {
	unit                      int64
	req, from, to, due, title string
	concerns                  string
	state                     State
	file                      media.File
}

// exportItem reads an item's current files in date order with their
// stored facts; unit names are added to units.
func (s *Store) exportItem(ctx context.Context, item int64, units map[int64]string) ([]exportRow, error) {
	rows, err := s.DB.Query(ctx, `SELECT i.unit_id, q.title, i.period_from, i.period_to, i.due_on, i.state, f.title, f.concerns_on, f.hash
		FROM dossier_file f JOIN dossier_item i ON i.id = f.item_id JOIN dossier_requirement q ON q.id = i.requirement_id
		WHERE f.item_id = ? AND f.replaced_by IS NULL ORDER BY f.concerns_on, f.id`, item)
	var hashes []string
	list, err := db.Collect(rows, err, func(r *sql.Rows) (exportRow, error) {
		var x exportRow
		err := r.Scan(&x.unit, &x.req, &x.from, &x.to, &x.due, &x.state, &x.title, &x.concerns, &x.file.Hash)
		hashes = append(hashes, x.file.Hash)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("export files: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	files, err := s.Files.GetMany(ctx, hashes)
	if err != nil {
		return nil, err
	}
	var missing []int64
	for i := range list {
		if f, ok := files[list[i].file.Hash]; ok {
			list[i].file = f
		}
		if _, ok := units[list[i].unit]; !ok {
			missing = append(missing, list[i].unit)
		}
	}
	if len(missing) > 0 {
		names, err := org.UnitNames(ctx, s.DB, missing)
		if err != nil {
			return nil, err
		}
		for _, id := range missing {
			units[id] = names[id]
		}
	}
	return list, nil
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
func (s *Store) writeIndexXLSX(w io.Writer, _ Round, next func() (IndexEntry, bool, error)) error {
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
	for n := 2; ; n++ {
		e, ok, err := next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		row(n, s.indexRow(e))
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
const IndexVolume = 500

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
