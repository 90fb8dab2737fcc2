package framework

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/setting"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// ImportInput describes an imported version.
type ImportInput struct {
	Name     string // the new version's name
	Note     string
	FileName string // recorded as where the version came from
	Activate bool   // make the new version the active one
}

// ImportVersion reads a sheet (see the layout in sheet.go) and stores it
// as a new version, all or nothing: when any row is wrong nothing is
// written, and the row errors come back with an invalid-input error
// (framework.import_rejected). Site types and problem categories are
// checked against the database.
func (s *Store) ImportVersion(ctx context.Context, a access.Actor, in ImportInput, r io.Reader, format Format) (Version, []RowError, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return Version{}, nil, err
	}
	vin := VersionInput{Name: in.Name, Note: in.Note}
	vin.normalize()
	if err := vin.validate(); err != nil {
		return Version{}, nil, err
	}
	lk, err := s.Lookups(ctx)
	if err != nil {
		return Version{}, nil, err
	}
	items, rowErrs, err := Parse(r, format, lk)
	if err != nil {
		return Version{}, nil, err
	}
	if len(rowErrs) > 0 {
		return Version{}, rowErrs, apperr.Invalid("framework.import_rejected", len(rowErrs))
	}
	detail := strings.TrimSpace(in.FileName)
	if utf8.RuneCountInString(detail) > MaxNameLen {
		detail = string([]rune(detail)[:MaxNameLen])
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.insertVersion(ctx, tx, a, vin.Name, vin.Note, false, SourceImport, detail); err != nil {
			return err
		}
		if err := insertTree(ctx, tx, id, items); err != nil {
			return err
		}
		if in.Activate {
			return s.activate(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return Version{}, nil, err
	}
	v, err := s.tree(ctx, id)
	return v, nil, err
}

// Lookups resolves site types and problem categories by code or name, as
// the database has them now (inactive ones included: they are data).
func (s *Store) Lookups(ctx context.Context) (Lookups, error) {
	types, err := s.SiteTypes(ctx, true)
	if err != nil {
		return Lookups{}, err
	}
	siteByCode, siteByName := map[string]string{}, map[string]string{}
	for _, t := range types {
		siteByCode[t.Code] = t.Code
		siteByName[t.Name] = t.Code
	}
	catByCode, catByName := map[string]string{}, map[string]string{}
	cats, err := category.CodesAndNames(ctx, s.DB)
	if err != nil {
		return Lookups{}, err
	}
	for _, c := range cats {
		catByCode[c.Code] = c.Code
		if _, dup := catByName[c.Name]; !dup {
			catByName[c.Name] = c.Code
		}
	}
	return Lookups{
		SiteType: func(v string) (string, bool) {
			if c, ok := siteByCode[strings.ToLower(v)]; ok {
				return c, true
			}
			c, ok := siteByName[v]
			return c, ok
		},
		Category: func(v string) (string, bool) {
			if c, ok := catByCode[strings.ToUpper(v)]; ok {
				return c, true
			}
			c, ok := catByName[v]
			return c, ok
		},
	}, nil
}

// Export writes version id as a sheet in the given format, site types by
// name, so that the office can edit it in Excel and import it again.
func (s *Store) Export(ctx context.Context, a access.Actor, w io.Writer, id int64, format Format) error {
	if err := mayView(a); err != nil {
		return err
	}
	if !format.Valid() {
		return apperr.Invalid("framework.format_unknown")
	}
	v, err := s.tree(ctx, id)
	if err != nil {
		return err
	}
	types, err := s.SiteTypes(ctx, true)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, t := range types {
		names[t.Code] = t.Name
	}
	// Written to a buffer first so that a failure is an error, not half a
	// file.
	var buf bytes.Buffer
	if err := Write(&buf, v, format, func(code string) string { return names[code] }); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// ---- the sample ----

// sampleCSV is the sample framework, in the sheet layout. It is built from
// published example standards (the public-square and main-road standards
// and the like) and is not the official edition: the office replaces it
// with the framework it receives.
//
//go:embed data/sample.csv
var sampleCSV []byte

// The sample's name and note, shown wherever the version is.
const (
	SampleName = "示例（非官方版本，请替换为正式测评体系）"
	SampleNote = "根据公开发布的公共广场、主次干道、背街小巷、农贸市场等点位测评标准示例整理，仅供熟悉系统和试用；" +
		"正式测评前请导入文明办收到的正式版测评体系并启用。"
)

// settingSample records that the sample was installed once, so a sample
// the office deleted does not come back at the next start.
const settingSample = "framework.sample_installed"

// Sample parses the embedded sample with the given lookups.
func Sample(lk Lookups) ([]*Node, []RowError, error) {
	return Parse(bytes.NewReader(sampleCSV), FormatCSV, lk)
}

// EnsureDefaults inserts the built-in site types missing from the
// database and, the first time only, the sample framework, which becomes
// the active version when none is active. It returns how many site types
// and versions it inserted. It is safe to run at every start and from
// several servers at once.
func (s *Store) EnsureDefaults(ctx context.Context) (int, error) {
	created, err := s.ensureSiteTypes(ctx)
	if err != nil {
		return 0, err
	}
	done, err := setting.Exists(ctx, s.DB, settingSample)
	if err != nil || done {
		return created, err
	}
	lk, err := s.Lookups(ctx)
	if err != nil {
		return 0, err
	}
	// A category the sample names may be missing (a database whose
	// categories were never seeded): the sample then goes without it.
	known := lk.Category
	lk.Category = func(v string) (string, bool) {
		if c, ok := known(v); ok {
			return c, true
		}
		return "", true
	}
	items, rowErrs, err := Sample(lk)
	if err != nil {
		return 0, fmt.Errorf("sample framework: %w", err)
	}
	if len(rowErrs) > 0 {
		return 0, fmt.Errorf("sample framework: row %d: %s %v", rowErrs[0].Row, rowErrs[0].Code, rowErrs[0].Args)
	}
	dropEmpty(items)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The marker first: a second server seeding at the same time
		// waits here for the first and then inserts nothing.
		stored, err := setting.PutIfAbsent(ctx, tx, settingSample, s.now().UTC().Format("2006-01-02T15:04:05Z"))
		if err != nil || !stored {
			return err
		}
		id, err := s.insertVersion(ctx, tx, access.System(), SampleName, SampleNote, true, SourceSample, "")
		if err != nil {
			return err
		}
		if err := insertTree(ctx, tx, id, items); err != nil {
			return err
		}
		created++
		active, err := exists(ctx, tx, "SELECT COUNT(*) FROM framework_version WHERE active")
		if err != nil || active {
			return err
		}
		return s.activate(ctx, tx, id)
	})
	if err != nil {
		return 0, err
	}
	return created, nil
}

// dropEmpty removes the empty category codes a tolerant lookup left.
func dropEmpty(items []*Node) {
	Version{Items: items}.Walk(func(n *Node) {
		out := n.Categories[:0]
		for _, c := range n.Categories {
			if c != "" {
				out = append(out, c)
			}
		}
		n.Categories = out
	})
}
