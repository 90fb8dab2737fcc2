package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

// registerFramework adds the evaluation framework pages: the versions, one
// version's tree with its editing forms, and the site types.
func (s *Server) registerFramework(mux *http.ServeMux) {
	mux.Handle("GET /framework", s.page(s.fwIndex, true))
	mux.Handle("POST /framework/versions", s.page(s.fwCreate, true))
	mux.Handle("POST /framework/import", s.page(s.fwImport, true))
	mux.Handle("GET /framework/site-types", s.page(s.fwSiteTypes, true))
	mux.Handle("POST /framework/site-types", s.page(s.fwSiteTypeCreate, true))
	mux.Handle("POST /framework/site-types/active", s.page(s.fwSiteTypeActive, true))
	mux.Handle("GET /framework/{id}", s.page(s.fwVersion, true))
	mux.Handle("GET /framework/{id}/export", s.page(s.fwExport, true))
	mux.Handle("POST /framework/{id}/activate", s.page(s.fwActivate, true))
	mux.Handle("POST /framework/{id}/update", s.page(s.fwUpdate, true))
	mux.Handle("POST /framework/{id}/delete", s.page(s.fwDelete, true))
	mux.Handle("POST /framework/{id}/nodes", s.page(s.fwNodeCreate, true))
	mux.Handle("GET /framework/{id}/nodes/new", s.page(s.fwNodeNew, true))
	mux.Handle("GET /framework/{id}/nodes/{nid}/edit", s.page(s.fwNodeEdit, true))
	mux.Handle("POST /framework/{id}/nodes/{nid}", s.page(s.fwNodeUpdate, true))
	mux.Handle("POST /framework/{id}/nodes/{nid}/delete", s.page(s.fwNodeDelete, true))
}

// The framework is read by those who plan and do inspections: the office,
// leaders, inspectors and administrators. The store decides who changes it.
func mayViewFramework(a access.Actor) error {
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector) {
		return nil
	}
	return apperr.Forbidden("framework.view_forbidden")
}

// fwMaxErrors bounds the row errors listed on the page; the rest are
// counted.
const fwMaxErrors = 200

// ---- versions ----

type fwColumnDoc struct {
	Title, Help string
	Required    bool
}

// fwVersionRow is a version in the list, with where it came from in words.
type fwVersionRow struct {
	framework.Version
	SourceText string
}

type fwIndexData struct {
	Versions []fwVersionRow
	Active   *framework.Version
	CanEdit  bool
	Types    int
	Columns  []fwColumnDoc
	// the forms, refilled after an error
	NewName, NewNote string
	CopyOf           int64
	ImportName       string
	ListError        string   // of an action on the list
	Error            string   // of the version form
	ImportError      string   // of the import form
	ImportErrors     []string // row errors of a refused import
	MoreErrors       int
}

func (s *Server) fwIndexPage(w http.ResponseWriter, r *http.Request, status int, d fwIndexData) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	ctx := r.Context()
	vs, err := s.Framework.Versions(ctx)
	if err != nil {
		return err
	}
	d.CanEdit = framework.CanEdit(a)
	for i, v := range vs {
		if v.Active {
			d.Active = &vs[i]
		}
		d.Versions = append(d.Versions, fwVersionRow{Version: v, SourceText: s.fwSourceText(v)})
	}
	types, err := s.Framework.SiteTypes(ctx, true)
	if err != nil {
		return err
	}
	d.Types = len(types)
	for _, c := range framework.Columns() {
		d.Columns = append(d.Columns, fwColumnDoc{Title: c.Title(), Help: s.Catalog.T(c.Key()), Required: c.Required()})
	}
	s.render(w, r, status, "framework", "framework.title", d)
	return nil
}

func (s *Server) fwSourceText(v framework.Version) string {
	switch v.Source {
	case framework.SourceSample:
		return s.Catalog.T("framework.source.sample")
	case framework.SourceCopy:
		return s.Catalog.T("framework.source.copy", v.SourceDetail)
	case framework.SourceImport:
		return s.Catalog.T("framework.source.import", v.SourceDetail)
	}
	return s.Catalog.T("framework.source.empty")
}

func (s *Server) fwIndex(w http.ResponseWriter, r *http.Request) error {
	return s.fwIndexPage(w, r, http.StatusOK, fwIndexData{})
}

func (s *Server) fwCreate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	in := framework.VersionInput{Name: r.PostFormValue("name"), Note: r.PostFormValue("note"), CopyOf: formID(r, "copy_of")}
	v, err := s.Framework.CreateVersion(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		return s.fwIndexPage(w, r, status, fwIndexData{NewName: in.Name, NewNote: in.Note, CopyOf: in.CopyOf, Error: msg})
	}
	return s.redirectWith(w, r, fwVersionPath(v.ID), "framework.version_created")
}

// fwFormError is formError, with a missing version or node (deleted in
// another tab) shown on the form too.
func (s *Server) fwFormError(err error) (string, int, bool) {
	if msg, status, ok := s.formError(err); ok {
		return msg, status, true
	}
	if e := apperr.As(err); e.Kind == apperr.KindNotFound && s.Catalog.Has(e.Code) {
		return s.Catalog.T(e.Code, e.Args...), http.StatusNotFound, true
	}
	return "", 0, false
}

// fwImport reads an uploaded sheet into a new version, all or nothing.
func (s *Server) fwImport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	if !framework.CanEdit(a) {
		return apperr.Forbidden("framework.forbidden")
	}
	d := fwIndexData{ImportName: strings.TrimSpace(r.PostFormValue("name"))}
	fail := func(err error) error {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		d.ImportError = msg
		return s.fwIndexPage(w, r, status, d)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.Invalid("framework.file_required"))
	}
	defer f.Close()
	if fh.Size > framework.MaxFileSize {
		return fail(apperr.Invalid("framework.file_too_large", framework.MaxFileSize>>20))
	}
	data, err := io.ReadAll(io.LimitReader(f, framework.MaxFileSize+1))
	if err != nil {
		return err
	}
	format := framework.DetectFormat(data)
	ext := strings.ToLower(path.Ext(fh.Filename))
	if format == framework.FormatCSV && ext != ".csv" && ext != ".txt" {
		return fail(apperr.Invalid("framework.not_sheet"))
	}
	name := d.ImportName
	if name == "" {
		name = strings.TrimSuffix(path.Base(fh.Filename), path.Ext(fh.Filename))
	}
	in := framework.ImportInput{Name: name, Note: r.PostFormValue("note"), FileName: path.Base(fh.Filename),
		Activate: r.PostFormValue("activate") == "1"}
	v, rowErrs, err := s.Framework.ImportVersion(r.Context(), a, in, bytes.NewReader(data), format)
	if len(rowErrs) > 0 {
		if len(rowErrs) > fwMaxErrors {
			d.MoreErrors = len(rowErrs) - fwMaxErrors
			rowErrs = rowErrs[:fwMaxErrors]
		}
		d.ImportErrors = framework.Messages(rowErrs, s.Catalog.T)
	}
	if err != nil {
		return fail(err)
	}
	flash := "framework.imported"
	if v.Active {
		flash = "framework.imported_active"
	}
	return s.redirectWith(w, r, fwVersionPath(v.ID), flash)
}

func fwVersionPath(id int64) string { return "/framework/" + strconv.FormatInt(id, 10) }

func (s *Server) fwActivate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Framework.Activate(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, fwVersionPath(id), "framework.activated")
}

func (s *Server) fwDelete(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Framework.DeleteVersion(r.Context(), actorOf(r), id); err != nil {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		return s.fwIndexPage(w, r, status, fwIndexData{ListError: msg})
	}
	return s.redirectWith(w, r, "/framework", "framework.deleted")
}

func (s *Server) fwUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Framework.UpdateVersion(r.Context(), actorOf(r), id, r.PostFormValue("name"), r.PostFormValue("note")); err != nil {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		return s.fwVersionPage(w, r, status, id, msg)
	}
	return s.redirectWith(w, r, fwVersionPath(id), "common.saved")
}

func (s *Server) fwExport(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := framework.Format(r.URL.Query().Get("format"))
	if format == "" {
		format = framework.FormatXLSX
	}
	if !format.Valid() {
		return apperr.Invalid("framework.format_unknown")
	}
	v, err := s.Framework.Version(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Framework.Export(r.Context(), &buf, id, format); err != nil {
		return err
	}
	name := s.Catalog.T("framework.export_file", v.Name) + "." + string(format)
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", "attachment; filename=\"framework."+string(format)+"\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	_, err = io.Copy(w, &buf)
	return err
}

// ---- one version ----

// fwNodeView is a node as the tree template shows it, with what the
// recursive template needs from the page.
type fwNodeView struct {
	*framework.Node
	Page     *fwVersionData
	Children []fwNodeView
	Sites    []string // site type names
	Cats     []fwCat
}

type fwCat struct{ Code, Name string }

type fwCheck struct {
	Value, Label string
	Checked      bool
}

type fwVersionData struct {
	V         framework.Version
	CanEdit   bool
	Items     []fwNodeView
	Error     string
	Site      string // the site type filter, "" for the whole tree
	SiteName  string
	SiteTypes []fwCheck // the filter's choices
	Criteria  []framework.Criterion
	CritViews []fwNodeView
}

// fwLabels are the names of site types and categories.
type fwLabels struct {
	sites  map[string]string
	active []framework.SiteType
	cats   map[string]string
}

func (s *Server) fwLabels(r *http.Request, categories bool) (fwLabels, error) {
	ctx := r.Context()
	l := fwLabels{sites: map[string]string{}, cats: map[string]string{}}
	types, err := s.Framework.SiteTypes(ctx, true)
	if err != nil {
		return l, err
	}
	for _, t := range types {
		l.sites[t.Code] = t.Name
		if t.Active {
			l.active = append(l.active, t)
		}
	}
	if !categories {
		return l, nil
	}
	tree, err := s.Categories.Tree(ctx, true)
	if err != nil {
		return l, err
	}
	for _, top := range tree {
		for _, sub := range top.Subs {
			l.cats[sub.Code] = sub.Name
		}
	}
	return l, nil
}

func (s *Server) fwMethodChecks(selected []framework.Method) []fwCheck {
	var out []fwCheck
	for _, m := range framework.Methods() {
		out = append(out, fwCheck{Value: string(m), Label: s.Catalog.T(m.Key()), Checked: containsMethod(selected, m)})
	}
	return out
}

func containsMethod(list []framework.Method, m framework.Method) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// siteChecks offers the active site types and any inactive one selected.
func (l fwLabels) siteChecks(selected []string) []fwCheck {
	var out []fwCheck
	seen := map[string]bool{}
	for _, t := range l.active {
		seen[t.Code] = true
		out = append(out, fwCheck{Value: t.Code, Label: t.Name, Checked: containsString(selected, t.Code)})
	}
	for _, code := range selected {
		if !seen[code] {
			name := l.sites[code]
			if name == "" {
				name = code
			}
			out = append(out, fwCheck{Value: code, Label: name, Checked: true})
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) fwView(n *framework.Node, l fwLabels, page *fwVersionData) fwNodeView {
	v := fwNodeView{Node: n, Page: page}
	for _, code := range n.SiteTypes {
		name := l.sites[code]
		if name == "" {
			name = code
		}
		v.Sites = append(v.Sites, name)
	}
	for _, code := range n.Categories {
		v.Cats = append(v.Cats, fwCat{Code: code, Name: l.cats[code]})
	}
	for _, c := range n.Children {
		v.Children = append(v.Children, s.fwView(c, l, page))
	}
	return v
}

func (s *Server) fwVersionPage(w http.ResponseWriter, r *http.Request, status int, id int64, errMsg string) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	ctx := r.Context()
	v, err := s.Framework.Version(ctx, id)
	if err != nil {
		return err
	}
	l, err := s.fwLabels(r, true)
	if err != nil {
		return err
	}
	d := &fwVersionData{V: v, CanEdit: framework.CanEdit(a), Error: errMsg,
		Site: strings.TrimSpace(r.URL.Query().Get("site"))}
	for _, t := range l.active {
		d.SiteTypes = append(d.SiteTypes, fwCheck{Value: t.Code, Label: t.Name, Checked: t.Code == d.Site})
	}
	if d.Site != "" {
		if d.SiteName = l.sites[d.Site]; d.SiteName == "" {
			return apperr.NotFound("sitetype.not_found", d.Site)
		}
		if d.Criteria, err = s.Framework.Criteria(ctx, id, d.Site); err != nil {
			return err
		}
		for i := range d.Criteria {
			d.CritViews = append(d.CritViews, s.fwView(&d.Criteria[i].Node, l, d))
		}
	} else {
		for _, n := range v.Items {
			d.Items = append(d.Items, s.fwView(n, l, d))
		}
	}
	s.render(w, r, status, "framework_version", "framework.version_title", d)
	return nil
}

func (s *Server) fwVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.fwVersionPage(w, r, http.StatusOK, id, "")
}

// ---- nodes ----

type fwNodeFormData struct {
	VersionID   int64
	VersionName string
	NodeID      int64 // 0: a new node
	ParentID    int64
	ParentCode  string
	Level       framework.Level
	In          framework.NodeInput
	ScoreText   string
	Methods     []fwCheck
	SiteChecks  []fwCheck
	CatText     string
	Error       string
}

// fwNodeInput reads a node form. A score that is not a number is an
// error of its own, since NodeInput holds only valid scores.
func (s *Server) fwNodeInput(r *http.Request) (framework.NodeInput, string, error) {
	in := framework.NodeInput{ParentID: formID(r, "parent_id"), Code: r.PostFormValue("code"), Text: r.PostFormValue("text"),
		Position: formInt(r, "position")}
	for _, m := range r.PostForm["methods"] {
		in.Methods = append(in.Methods, framework.Method(m))
	}
	in.SiteTypes = r.PostForm["site_types"]
	cats := r.PostFormValue("categories")
	if cats != "" {
		lk, err := s.Framework.Lookups(r.Context())
		if err != nil {
			return in, cats, err
		}
		for _, c := range framework.SplitList(cats) {
			if code, ok := lk.Category(c); ok {
				c = code
			}
			in.Categories = append(in.Categories, c)
		}
	}
	scoreText := strings.TrimSpace(r.PostFormValue("score"))
	score, ok := framework.ParseScore(scoreText)
	if !ok {
		return in, cats, apperr.Invalid("framework.score_invalid", framework.MaxScore)
	}
	in.Score = score
	return in, cats, nil
}

func (s *Server) fwNodeForm(w http.ResponseWriter, r *http.Request, status int, d fwNodeFormData) error {
	v, err := s.Framework.VersionInfo(r.Context(), d.VersionID)
	if err != nil {
		return err
	}
	d.VersionName = v.Name
	if d.Level == framework.LevelCriterion {
		l, err := s.fwLabels(r, false)
		if err != nil {
			return err
		}
		d.Methods = s.fwMethodChecks(d.In.Methods)
		d.SiteChecks = l.siteChecks(d.In.SiteTypes)
	}
	title := "framework.node_new"
	if d.NodeID != 0 {
		title = "framework.node_edit"
	}
	s.render(w, r, status, "framework_node", title, d)
	return nil
}

// fwPathNode reads the version and node ids of the path and checks that
// the node is in the version.
func (s *Server) fwPathNode(r *http.Request) (int64, framework.Node, error) {
	vid, err := pathID(r)
	if err != nil {
		return 0, framework.Node{}, err
	}
	nid, err := strconv.ParseInt(r.PathValue("nid"), 10, 64)
	if err != nil || nid <= 0 {
		return 0, framework.Node{}, apperr.NotFound("framework.node_not_found")
	}
	n, err := s.Framework.Node(r.Context(), nid)
	if err != nil {
		return 0, framework.Node{}, err
	}
	if n.VersionID != vid {
		return 0, framework.Node{}, apperr.NotFound("framework.node_not_found")
	}
	return vid, n, nil
}

// fwNodeNew is the form of a new node under ?parent= (none: an item); the
// tree loads it into its page when "add" is opened.
func (s *Server) fwNodeNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	if !framework.CanEdit(a) {
		return apperr.Forbidden("framework.forbidden")
	}
	vid, err := pathID(r)
	if err != nil {
		return err
	}
	d := fwNodeFormData{VersionID: vid, Level: framework.LevelItem}
	if parent, _ := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64); parent > 0 {
		p, err := s.Framework.Node(r.Context(), parent)
		if err != nil {
			return err
		}
		if p.VersionID != vid || p.IsCriterion() {
			return apperr.NotFound("framework.node_not_found")
		}
		d.ParentID, d.ParentCode, d.Level = p.ID, p.Code, p.Level+1
	}
	if d.Level == framework.LevelCriterion {
		d.In.Methods = []framework.Method{framework.MethodField}
	}
	return s.fwNodeForm(w, r, http.StatusOK, d)
}

func (s *Server) fwNodeEdit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	if !framework.CanEdit(a) {
		return apperr.Forbidden("framework.forbidden")
	}
	vid, n, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	in := framework.NodeInput{ParentID: n.ParentID, Code: n.Code, Text: n.Text, Position: n.Position, Methods: n.Methods,
		Score: n.Score, SiteTypes: n.SiteTypes, Categories: n.Categories}
	return s.fwNodeForm(w, r, http.StatusOK, fwNodeFormData{VersionID: vid, NodeID: n.ID, ParentID: n.ParentID, Level: n.Level,
		In: in, ScoreText: n.ScoreText(), CatText: strings.Join(n.Categories, "、")})
}

func (s *Server) fwNodeCreate(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	vid, err := pathID(r)
	if err != nil {
		return err
	}
	in, cats, err := s.fwNodeInput(r)
	if err == nil {
		var n framework.Node
		if n, err = s.Framework.CreateNode(r.Context(), a, vid, in); err == nil {
			return s.redirectWith(w, r, fwVersionPath(vid)+"#n-"+strconv.FormatInt(n.ID, 10), "framework.node_saved")
		}
	}
	msg, status, ok := s.fwFormError(err)
	if !ok {
		return err
	}
	level := framework.LevelItem
	if in.ParentID != 0 {
		p, perr := s.Framework.Node(r.Context(), in.ParentID)
		if perr != nil {
			return perr
		}
		level = p.Level + 1
	}
	return s.fwNodeForm(w, r, status, fwNodeFormData{VersionID: vid, ParentID: in.ParentID, Level: level, In: in,
		ScoreText: r.PostFormValue("score"), CatText: cats, Error: msg})
}

func (s *Server) fwNodeUpdate(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	vid, cur, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	in, cats, err := s.fwNodeInput(r)
	in.ParentID = cur.ParentID
	if err == nil {
		if _, err = s.Framework.UpdateNode(r.Context(), a, cur.ID, in); err == nil {
			return s.redirectWith(w, r, fwVersionPath(vid)+"#n-"+strconv.FormatInt(cur.ID, 10), "framework.node_saved")
		}
	}
	msg, status, ok := s.fwFormError(err)
	if !ok {
		return err
	}
	return s.fwNodeForm(w, r, status, fwNodeFormData{VersionID: vid, NodeID: cur.ID, ParentID: cur.ParentID, Level: cur.Level, In: in,
		ScoreText: r.PostFormValue("score"), CatText: cats, Error: msg})
}

func (s *Server) fwNodeDelete(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	vid, n, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	if err := s.Framework.DeleteNode(r.Context(), a, n.ID); err != nil {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		return s.fwVersionPage(w, r, status, vid, msg)
	}
	return s.redirectWith(w, r, fwVersionPath(vid), "framework.node_deleted")
}

// ---- site types ----

type fwSiteTypesData struct {
	Types   []framework.SiteType
	CanEdit bool
	Code    string
	Name    string
	Error   string
}

func (s *Server) fwSiteTypesPage(w http.ResponseWriter, r *http.Request, status int, d fwSiteTypesData) error {
	a := actorOf(r)
	if err := mayViewFramework(a); err != nil {
		return err
	}
	types, err := s.Framework.SiteTypes(r.Context(), true)
	if err != nil {
		return err
	}
	d.Types, d.CanEdit = types, framework.CanEdit(a)
	s.render(w, r, status, "framework_site_types", "sitetype.title", d)
	return nil
}

func (s *Server) fwSiteTypes(w http.ResponseWriter, r *http.Request) error {
	return s.fwSiteTypesPage(w, r, http.StatusOK, fwSiteTypesData{})
}

func (s *Server) fwSiteTypeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	code, name := r.PostFormValue("code"), r.PostFormValue("name")
	t, err := s.Framework.CreateSiteType(r.Context(), actorOf(r), code, name)
	if err != nil {
		msg, status, ok := s.fwFormError(err)
		if !ok {
			return err
		}
		return s.fwSiteTypesPage(w, r, status, fwSiteTypesData{Code: code, Name: name, Error: msg})
	}
	return s.redirectWith(w, r, "/framework/site-types#t-"+t.Code, "sitetype.created")
}

func (s *Server) fwSiteTypeActive(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewFramework(actorOf(r)); err != nil {
		return err
	}
	code := r.PostFormValue("code")
	on := r.PostFormValue("active") == "1"
	if err := s.Framework.SetSiteTypeActive(r.Context(), actorOf(r), code, on); err != nil {
		return err
	}
	flash := "sitetype.deactivated"
	if on {
		flash = "sitetype.activated"
	}
	return s.redirectWith(w, r, "/framework/site-types#t-"+url.PathEscape(code), flash)
}
