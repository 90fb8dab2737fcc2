package region

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/setting"
)

// Source is one CSV file of an import, gzipped or not: Import looks at the
// first bytes, not at the name.
type Source struct {
	Name string // shown in problem reports
	Open func() (io.ReadCloser, error)
}

// FileSource reads the file at path; a gzipped file (.csv.gz) is
// decompressed transparently by Import, which recognises gzip by its magic
// bytes.
func FileSource(path string) Source {
	return Source{Name: filepath.Base(path), Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// ImportReport says what an import did.
type ImportReport struct {
	Files     int // sources read
	Read      int // data rows read
	Inserted  int // new regions
	Updated   int // regions whose name (or parent) changed
	Unchanged int // regions already as in the files
}

// RowProblem is one reason an import was refused.
type RowProblem struct {
	File string
	Line int    // 1-based line of the row (or feature number, see ImportError.Features)
	Code string // catalogue key, e.g. "region.import.unknown_parent"
	Args []any  // arguments of the catalogue message
}

// ImportError refuses an import as a whole: nothing was written.
type ImportError struct {
	Problems []RowProblem // the first MaxProblems, ordered by file and line
	Total    int          // all problems found, possibly more than listed
	// Features is set when Line numbers GeoJSON features rather than lines.
	Features bool
}

// MaxProblems is how many problems an ImportError lists at most.
const MaxProblems = 100

func (e *ImportError) Error() string {
	if len(e.Problems) == 0 {
		return "region import refused"
	}
	p := e.Problems[0]
	var s string
	if e.Features {
		s = fmt.Sprintf("feature %d: %s", p.Line, englishProblem(p.Code, p.Args))
	} else {
		s = fmt.Sprintf("%s line %d: %s", p.File, p.Line, englishProblem(p.Code, p.Args))
	}
	if n := max(e.Total, len(e.Problems)); n > 1 {
		s += fmt.Sprintf(" (and %d more)", n-1)
	}
	return s
}

// Unwrap makes the error an apperr invalid-input error for the HTTP layers,
// which can still reach the details with errors.As.
func (e *ImportError) Unwrap() error {
	return apperr.Invalid("region.import.failed", max(e.Total, len(e.Problems)))
}

// Messages renders the problems for people with a catalogue function such
// as (*i18n.Catalog).T, one line each, plus a line for the ones not listed.
func (e *ImportError) Messages(t func(key string, args ...any) string) []string {
	out := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		msg := t(p.Code, p.Args...)
		if e.Features {
			out = append(out, t("region.import.at_feature", p.Line, msg))
		} else {
			out = append(out, t("region.import.at_line", p.File, p.Line, msg))
		}
	}
	if e.Total > len(e.Problems) {
		out = append(out, t("region.import.more", e.Total-len(e.Problems)))
	}
	return out
}

// englishProblem is the English text of a problem, for logs and the CLI.
func englishProblem(code string, args []any) string {
	f := func(format string) string { return fmt.Sprintf(format, args...) }
	switch code {
	case "region.import.empty_file":
		return "empty file"
	case "region.import.bad_header":
		return f("unrecognised header %q")
	case "region.import.column_count":
		return f("expected %d columns, found %d")
	case "region.import.bad_csv":
		return "malformed CSV"
	case "region.import.unreadable":
		return "file cannot be read"
	case "region.import.bad_code":
		return f("code %q must be %d digits")
	case "region.import.bad_parent_code":
		return f("parent code %q must be %d digits")
	case "region.import.empty_name":
		return "empty name"
	case "region.import.parent_mismatch":
		return f("code %s does not start with parent code %s")
	case "region.import.duplicate_code":
		return f("duplicate code %s (also %s line %d)")
	case "region.import.unknown_parent":
		return f("unknown parent code %s")
	case "region.grid_name_required":
		return "grid name missing"
	case "region.grid_name_too_long":
		return f("grid name longer than %d characters")
	case "region.grid_name_taken":
		return f("grid name %q already used in this community")
	case "region.grid_name_duplicate":
		return f("grid name %q repeats feature %d")
	case "region.grid_codes_exhausted":
		return "no free grid code left in this community"
	case "region.geojson.invalid":
		return "not valid GeoJSON"
	case "region.geojson.bad_type":
		return f("geometry type %q, want Polygon or MultiPolygon")
	case "region.geojson.no_geometry":
		return "feature without geometry"
	case "region.geojson.bad_coordinates":
		return "malformed coordinates"
	case "region.geojson.out_of_range":
		return f("position (%v, %v) outside longitude/latitude range")
	case "region.geojson.ring_too_short":
		return f("ring has %d positions, needs at least 4")
	case "region.geojson.ring_not_closed":
		return "ring not closed"
	case "region.geojson.empty":
		return "polygon without coordinates"
	case "region.geojson.not_feature":
		return "not a GeoJSON Feature"
	case "region.geojson.too_many_points":
		return f("more than %d positions")
	}
	if len(args) > 0 {
		return code + fmt.Sprint(args...)
	}
	return code
}

// problems collects RowProblems up to MaxProblems and counts the rest.
type problems struct {
	list  []RowProblem
	order []int // source index of each listed problem, for sorting
	total int
}

func (p *problems) add(src int, file string, line int, code string, args ...any) {
	p.total++
	if len(p.list) < MaxProblems {
		p.list = append(p.list, RowProblem{File: file, Line: line, Code: code, Args: args})
		p.order = append(p.order, src)
	}
}

func (p *problems) err() *ImportError {
	if p.total == 0 {
		return nil
	}
	idx := make([]int, len(p.list))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(p.order[a], p.order[b]), cmp.Compare(p.list[a].Line, p.list[b].Line))
	})
	out := make([]RowProblem, len(idx))
	for i, j := range idx {
		out[i] = p.list[j]
	}
	return &ImportError{Problems: out, Total: p.total}
}

// layout is what the header row says about a file: the level of its rows
// and, for each column after code and name, the level of the ancestor
// code it holds.
type layout struct {
	level     Level
	ancestors []Level
}

// ancestorColumn maps the header names of the china-division CSV files to
// the level whose code the column holds.
func ancestorColumn(name string) (Level, bool) {
	switch strings.ToLower(name) {
	case "provincecode":
		return Province, true
	case "citycode":
		return City, true
	case "areacode":
		return District, true
	case "streetcode":
		return Street, true
	}
	return 0, false
}

// layoutOf recognises a header: code, name, then one code column for each
// level above the file's own, in any order.
func layoutOf(header []string) (layout, bool) {
	if len(header) < 2 || !strings.EqualFold(strings.TrimSpace(header[0]), "code") ||
		!strings.EqualFold(strings.TrimSpace(header[1]), "name") {
		return layout{}, false
	}
	lay := layout{level: Level(len(header) - 1)}
	seen := map[Level]bool{}
	for _, h := range header[2:] {
		l, ok := ancestorColumn(strings.TrimSpace(h))
		if !ok || seen[l] || l >= lay.level {
			return layout{}, false
		}
		seen[l] = true
		lay.ancestors = append(lay.ancestors, l)
	}
	return lay, lay.level >= Province && lay.level <= Community
}

// row is one region read from a file, kept small: the whole country has
// about 680,000 of them. Codes are held as numbers; the level gives their
// length back.
type row struct {
	code  uint64
	name  string
	src   int32
	line  int32
	level uint8
	bad   bool // a problem was reported; skip the checks that would repeat it
}

// codeNum turns a digit code into a number; with its level it converts
// back losslessly.
func codeNum(code string) uint64 {
	var n uint64
	for i := 0; i < len(code); i++ {
		n = n*10 + uint64(code[i]-'0')
	}
	return n
}

// codeText formats a code number of level l.
func codeText(n uint64, l uint8) string {
	var buf [18]byte
	w := Level(l).CodeLen()
	for i := w - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[:w])
}

// parentNum returns the code number of the parent of code n at level l.
func parentNum(n uint64, l uint8) uint64 {
	for range Level(l).CodeLen() - Level(l-1).CodeLen() {
		n /= 10
	}
	return n
}

func compareRows(a, b row) int {
	return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.code, b.code))
}

// progress calls the Progress hook, if any.
func (s *Store) progress(stage string, done, total int) {
	if s.Progress != nil {
		s.Progress(stage, done, total)
	}
}

const progressEvery = 10000

// analyzeAfter is the number of written rows after which an import
// refreshes PostgreSQL's statistics of the region table.
const analyzeAfter = 1000

// Import reads the national division CSV files and brings the region table
// in line with them: new codes are inserted, changed names updated, the
// rest left alone (regions missing from the files are not deleted). Rows
// are applied parents first whatever the order of the sources; a parent may
// come from the same import or be in the database already. Every row is
// checked before anything is written, and any problem refuses the whole
// import with an *ImportError; the writes happen in one transaction.
func (s *Store) Import(ctx context.Context, sources []Source) (ImportReport, error) {
	rep := ImportReport{Files: len(sources)}
	var probs problems
	var rows []row
	for i, src := range sources {
		if err := s.readSource(ctx, src, i, &rows, &probs, &rep.Read); err != nil {
			return rep, err
		}
	}
	s.progress("region.import.stage.read", rep.Read, rep.Read)

	// Sorted by level and code, parents come before children and equal
	// codes sit next to each other.
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(compareRows(a, b), cmp.Compare(a.src, b.src), cmp.Compare(a.line, b.line))
	})
	for i := 1; i < len(rows); i++ {
		if compareRows(rows[i-1], rows[i]) != 0 {
			continue
		}
		first := rows[i-1]
		for j := i - 1; j > 0 && compareRows(rows[j-1], first) == 0; j-- {
			first = rows[j-1]
		}
		r := &rows[i]
		probs.add(int(r.src), sources[r.src].Name, int(r.line), "region.import.duplicate_code",
			codeText(r.code, r.level), sources[first.src].Name, int(first.line))
		r.bad = true
	}

	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		existing, err := loadExisting(ctx, tx, rows)
		if err != nil {
			return err
		}
		s.checkParents(rows, existing, sources, &probs)
		if e := probs.err(); e != nil {
			return e
		}
		if err := s.write(ctx, tx, rows, existing, &rep); err != nil {
			return err
		}
		// PostgreSQL plans by table statistics, and autovacuum may take a
		// while to notice a bulk load: without fresh ones the child lists
		// pick a full index scan.
		if rep.Inserted+rep.Updated >= analyzeAfter {
			if err := tx.Analyze(ctx, "region"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var ie *ImportError
		if errors.As(err, &ie) {
			return rep, ie
		}
		return rep, fmt.Errorf("import regions: %w", err)
	}
	return rep, nil
}

// readSource parses one file into rows, reporting the problems of each row.
func (s *Store) readSource(ctx context.Context, src Source, idx int, rows *[]row, probs *problems, read *int) error {
	rc, err := src.Open()
	if err != nil {
		return fmt.Errorf("import regions: open %s: %w", src.Name, err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 256<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			probs.add(idx, src.Name, 1, "region.import.unreadable")
			return nil
		}
		defer gz.Close()
		r = gz
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // counted per row below, to report the line
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			probs.add(idx, src.Name, 1, "region.import.empty_file")
		} else {
			probs.add(idx, src.Name, 1, "region.import.unreadable")
		}
		return nil
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // byte-order mark from spreadsheet exports
	}
	lay, ok := layoutOf(header)
	if !ok {
		probs.add(idx, src.Name, 1, "region.import.bad_header", strings.Join(header, ","))
		return nil
	}
	cols := 2 + len(lay.ancestors)
	codeLen := lay.level.CodeLen()
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs.add(idx, src.Name, pe.StartLine, "region.import.bad_csv")
				continue
			}
			line, _ := cr.FieldPos(0)
			probs.add(idx, src.Name, line, "region.import.unreadable")
			return nil
		}
		*read++
		if *read%(progressEvery*5) == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("import regions: %w", err)
			}
			s.progress("region.import.stage.read", *read, 0)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != cols {
			probs.add(idx, src.Name, line, "region.import.column_count", cols, len(rec))
			continue
		}
		code := strings.TrimSpace(rec[0])
		if len(code) != codeLen || !allDigits(code) {
			probs.add(idx, src.Name, line, "region.import.bad_code", code, codeLen)
			continue
		}
		// The name is copied so that the rest of the record can be freed.
		rw := row{code: codeNum(code), name: strings.Clone(strings.TrimSpace(rec[1])), level: uint8(lay.level), src: int32(idx), line: int32(line)}
		if rw.name == "" {
			probs.add(idx, src.Name, line, "region.import.empty_name")
			rw.bad = true
		}
		for i, al := range lay.ancestors {
			a := strings.TrimSpace(rec[2+i])
			switch {
			case len(a) != al.CodeLen() || !allDigits(a):
				probs.add(idx, src.Name, line, "region.import.bad_parent_code", a, al.CodeLen())
				rw.bad = true
			case !strings.HasPrefix(code, a):
				probs.add(idx, src.Name, line, "region.import.parent_mismatch", code, a)
				rw.bad = true
			}
		}
		*rows = append(*rows, rw)
	}
}

// known is a region already in the database, as far as the import cares:
// its name is kept as a hash, which is all the comparison needs, so that
// reading a full table back stays small.
type known struct {
	code     uint64
	nameHash uint64
	level    uint8
	parentOK bool // parent_code is the parent the code implies
}

// nameHash is 64-bit FNV-1a.
func nameHash[T ~string | ~[]byte](name T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// loadExisting reads the regions at the levels of the import and the level
// above (the possible parents), sorted like the rows.
func loadExisting(ctx context.Context, tx *db.Tx, rows []row) ([]known, error) {
	var levels [Grid + 1]bool
	for i := range rows {
		levels[rows[i].level] = true
		levels[rows[i].level-1] = true
	}
	var args []any
	for _, l := range Levels() {
		if levels[l] {
			args = append(args, int(l))
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	res, err := tx.Query(ctx, "SELECT code, name, parent_code FROM region WHERE level IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	defer res.Close()
	var out []known
	var code, name, parent sql.RawBytes
	for res.Next() {
		if err := res.Scan(&code, &name, &parent); err != nil {
			return nil, fmt.Errorf("load regions: %w", err)
		}
		l, ok := LevelOf(string(code))
		if !ok {
			continue // not a code an import could name
		}
		out = append(out, known{code: codeNum(string(code)), nameHash: nameHash(name), level: uint8(l),
			parentOK: string(parent) == ParentOf(string(code))})
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("load regions: %w", err)
	}
	slices.SortFunc(out, func(a, b known) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.code, b.code))
	})
	return out, nil
}

func findKnown(existing []known, level uint8, code uint64) (known, bool) {
	i, ok := slices.BinarySearchFunc(existing, known{level: level, code: code}, func(a, b known) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.code, b.code))
	})
	if !ok {
		return known{}, false
	}
	return existing[i], true
}

// checkParents reports rows whose parent is neither in the import nor in
// the database.
func (s *Store) checkParents(rows []row, existing []known, sources []Source, probs *problems) {
	for i := range rows {
		r := &rows[i]
		if i%(progressEvery*5) == 0 {
			s.progress("region.import.stage.check", i, len(rows))
		}
		if Level(r.level) == Province || r.bad {
			continue
		}
		parent := parentNum(r.code, r.level)
		if _, inFile := slices.BinarySearchFunc(rows, row{level: r.level - 1, code: parent}, compareRows); inFile {
			continue
		}
		if _, inDB := findKnown(existing, r.level-1, parent); inDB {
			continue
		}
		probs.add(int(r.src), sources[r.src].Name, int(r.line), "region.import.unknown_parent", codeText(parent, r.level-1))
	}
	s.progress("region.import.stage.check", len(rows), len(rows))
}

// insertBatch is the number of rows per INSERT: 6 parameters each stays far
// below SQLite's 32766 and PostgreSQL's 65535 parameters per statement.
const insertBatch = 500

// write inserts the new rows in batches and updates the changed ones.
func (s *Store) write(ctx context.Context, tx *db.Tx, rows []row, existing []known, rep *ImportReport) error {
	now := db.Millis(time.Now())
	var inserts, updates []int
	for i := range rows {
		k, ok := findKnown(existing, rows[i].level, rows[i].code)
		switch {
		case !ok:
			inserts = append(inserts, i)
		case k.nameHash != nameHash(rows[i].name) || !k.parentOK:
			updates = append(updates, i)
		default:
			rep.Unchanged++
		}
	}
	total := len(inserts) + len(updates)
	if total == 0 {
		return nil
	}
	// Rows come sorted, so siblings follow each other and share the text
	// of their parent's code.
	var lastParent uint64
	var lastLevel uint8
	var lastText string
	parentArg := func(r row) any {
		if Level(r.level) == Province {
			return nil
		}
		p := parentNum(r.code, r.level)
		if p != lastParent || r.level != lastLevel || lastText == "" {
			lastParent, lastLevel, lastText = p, r.level, codeText(p, r.level-1)
		}
		return lastText
	}
	const insertHead = "INSERT INTO region (code, name, level, parent_code, created_at, updated_at) VALUES "
	const tuple = "(?, ?, ?, ?, ?, ?)"
	fullSQL := insertHead + strings.Repeat(tuple+", ", insertBatch-1) + tuple
	args := make([]any, 0, insertBatch*6)
	done, reported := 0, 0
	for start := 0; start < len(inserts); start += insertBatch {
		batch := inserts[start:min(start+insertBatch, len(inserts))]
		args = args[:0]
		for _, i := range batch {
			r := rows[i]
			args = append(args, codeText(r.code, r.level), r.name, int(r.level), parentArg(r), now, now)
		}
		q := fullSQL
		if len(batch) < insertBatch {
			q = insertHead + strings.Repeat(tuple+", ", len(batch)-1) + tuple
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert regions: %w", err)
		}
		rep.Inserted += len(batch)
		done += len(batch)
		if done-reported >= progressEvery {
			s.progress("region.import.stage.write", done, total)
			reported = done
		}
	}
	for _, i := range updates {
		r := rows[i]
		code := codeText(r.code, r.level)
		if _, err := tx.Exec(ctx, "UPDATE region SET name = ?, parent_code = ?, updated_at = ? WHERE code = ?",
			r.name, parentArg(r), now, code); err != nil {
			return fmt.Errorf("update region %s: %w", code, err)
		}
		rep.Updated++
		done++
		if done-reported >= progressEvery {
			s.progress("region.import.stage.write", done, total)
			reported = done
		}
	}
	if len(updates) > 0 {
		// Last, so that the counter's row is locked for the shortest time.
		if err := setting.ReferenceChanged(ctx, tx); err != nil { // the names kept on cases (problem.Store) are read again
			return err
		}
	}
	s.progress("region.import.stage.write", total, total)
	return nil
}
