package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// registerSites adds the inspection site pages: the list, the forms, the
// detail page with its QR code, the map of all sites (一张图), the Excel
// import and export, a printable sheet of QR codes, and /s/{token}, where
// a scanned code lands (码上文明).
func (s *Server) registerSites(mux *http.ServeMux) {
	mux.Handle("GET /sites", s.page(s.siteList, true))
	mux.Handle("GET /sites/new", s.page(s.siteNew, true))
	mux.Handle("POST /sites", s.page(s.siteCreate, true))
	mux.Handle("GET /sites/map", s.page(s.siteMap, true))
	mux.Handle("GET /sites/map.geojson", s.page(s.siteGeoJSON, true))
	mux.Handle("GET /sites/import", s.page(s.siteImportForm, true))
	mux.Handle("POST /sites/import", s.page(s.siteImport, true))
	mux.Handle("GET /sites/export.xlsx", s.page(s.siteExport, true))
	mux.Handle("GET /sites/qr-sheet", s.page(s.siteQRSheet, true))
	mux.Handle("GET /sites/{id}", s.page(s.siteDetail, true))
	mux.Handle("GET /sites/{id}/edit", s.page(s.siteEdit, true))
	mux.Handle("POST /sites/{id}", s.page(s.siteUpdate, true))
	mux.Handle("POST /sites/{id}/active", s.page(s.siteSetActive, true))
	mux.Handle("POST /sites/{id}/qr", s.page(s.siteRegenerateQR, true))
	mux.Handle("GET /sites/{id}/qr.png", s.page(s.siteQRPNG, true))
	mux.Handle("GET /sites/{id}/qr.svg", s.page(s.siteQRSVG, true))
	// Until the inspections work brings the checklist, /check shows the
	// site and says where its checklist will come from.
	mux.Handle("GET /sites/{id}/check", s.page(s.siteCheck, true))
	mux.Handle("GET /s/{token}", s.page(s.siteScan, false))
}

// siteFilter reads a site filter from the query string.
func siteFilter(q url.Values) site.Filter {
	f := site.Filter{Query: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Region: strings.TrimSpace(q.Get("region")), State: q.Get("state")}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	if f.State != "active" && f.State != "inactive" && f.State != "all" {
		f.State = "active"
	}
	if f.State == "all" {
		f.State = ""
	}
	return f
}

// siteRow is a site as a list shows it.
type siteRow struct {
	site.Site
	ScoreText string
}

type siteListData struct {
	Sites     []siteRow
	Pager     pager
	Query     url.Values
	QueryStr  string
	Types     []site.Type
	Regions   []region.Region
	CanEdit   bool
	CanExport bool
}

func (s *Server) scoreText(x *float64) string {
	if x == nil {
		return s.Catalog.T("site.score_none")
	}
	return strconv.FormatFloat(*x, 'f', 1, 64)
}

// siteRegions lists the regions a filter offers: the ones right below the
// actor's jurisdiction.
func (s *Server) siteRegions(r *http.Request) []region.Region {
	a := actorOf(r)
	if a.Region == "" {
		return nil
	}
	list, _, err := s.Regions.Children(r.Context(), a.Region, 0, 500)
	if err != nil {
		s.Log.Warn("list regions for site filter", "err", err)
		return nil
	}
	return list
}

func (s *Server) siteList(w http.ResponseWriter, r *http.Request) error {
	a, q := actorOf(r), r.URL.Query()
	page, offset, limit := pageParams(r)
	f := siteFilter(q)
	f.Offset, f.Limit = offset, limit
	list, total, err := s.Sites.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	types, err := s.Sites.Types(r.Context(), true)
	if err != nil {
		return err
	}
	rows := make([]siteRow, len(list))
	for i, x := range list {
		rows[i] = siteRow{Site: x, ScoreText: s.scoreText(x.Score)}
	}
	s.render(w, r, http.StatusOK, "sites", "site.list_title", siteListData{
		Sites: rows, Pager: newPager(r, page, limit, total), Query: q, QueryStr: filterQuery(q), Types: types,
		Regions: s.siteRegions(r), CanEdit: site.CanWrite(a), CanExport: a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader),
	})
	return nil
}

// filterQuery is the filter part of a query string, without the page.
func filterQuery(q url.Values) string {
	c := url.Values{}
	for _, k := range []string{"q", "type", "region", "unit", "state"} {
		if v := q.Get(k); v != "" {
			c.Set(k, v)
		}
	}
	return c.Encode()
}

type siteFormData struct {
	ID          int64
	In          site.Input
	Lng, Lat    string
	Shape       string
	Types       []site.Type
	Territorial []org.Unit
	Departments []org.Unit
	Sponsors    []org.Unit
	Error       string
}

func (s *Server) siteForm(w http.ResponseWriter, r *http.Request, status int, d siteFormData) error {
	ctx, a := r.Context(), actorOf(r)
	types, err := s.Sites.Types(ctx, false)
	if err != nil {
		return err
	}
	// A site keeps a type that has since been retired.
	if d.In.TypeCode != "" {
		found := false
		for _, t := range types {
			found = found || t.Code == d.In.TypeCode
		}
		if !found {
			all, err := s.Sites.Types(ctx, true)
			if err != nil {
				return err
			}
			for _, t := range all {
				if t.Code == d.In.TypeCode {
					types = append(types, t)
				}
			}
		}
	}
	d.Types = types
	units, err := s.Org.UnitChoices(ctx, a)
	if err != nil {
		return err
	}
	for _, u := range units {
		switch u.Kind {
		case org.KindTerritorial:
			d.Territorial = append(d.Territorial, u)
		case org.KindDepartment:
			d.Departments = append(d.Departments, u)
		}
		switch u.Kind {
		case org.KindSponsor, org.KindDepartment, org.KindOffice, org.KindOther:
			d.Sponsors = append(d.Sponsors, u)
		}
	}
	title := "site.new_title"
	if d.ID != 0 {
		title = "site.edit_title"
	}
	s.render(w, r, status, "site_form", title, d)
	return nil
}

func (s *Server) siteNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !site.CanWrite(a) {
		return apperr.Forbidden("site.forbidden")
	}
	return s.siteForm(w, r, http.StatusOK, siteFormData{In: site.Input{TypeCode: r.URL.Query().Get("type")}})
}

// siteInputFrom reads the site form. The place is the GeoJSON of the
// shape box when filled (roads, alleys, areas), else the point of the
// longitude and latitude boxes, else none.
func siteInputFrom(r *http.Request) (siteFormData, error) {
	in := site.Input{
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), TypeCode: r.PostFormValue("type_code"),
		RegionCode: r.PostFormValue("region_code"), Address: r.PostFormValue("address"),
		TerritorialUnitID: formID(r, "territorial_unit_id"), DepartmentUnitID: formID(r, "department_unit_id"),
		SponsorUnitID: formID(r, "sponsor_unit_id"), SponsorLeader: r.PostFormValue("sponsor_leader"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"),
		LiaisonName: r.PostFormValue("liaison_name"), LiaisonPhone: r.PostFormValue("liaison_phone"),
	}
	d := siteFormData{In: in, Lng: strings.TrimSpace(r.PostFormValue("lng")), Lat: strings.TrimSpace(r.PostFormValue("lat")),
		Shape: strings.TrimSpace(r.PostFormValue("geometry"))}
	switch {
	case d.Shape != "":
		d.In.Geometry = d.Shape
	case d.Lng == "" && d.Lat == "":
	case d.Lng == "" || d.Lat == "":
		return d, apperr.Invalid("site.lnglat_pair")
	default:
		lng, err1 := strconv.ParseFloat(d.Lng, 64)
		lat, err2 := strconv.ParseFloat(d.Lat, 64)
		if err1 != nil || err2 != nil {
			return d, apperr.Invalid("site.lnglat_invalid")
		}
		d.In.Geometry = site.PointGeoJSON(lng, lat)
	}
	return d, nil
}

func (s *Server) siteCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := siteInputFrom(r)
	var x site.Site
	if err == nil {
		x, err = s.Sites.Create(r.Context(), actorOf(r), d.In)
	}
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d.Error = msg
		return s.siteForm(w, r, status, d)
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(x.ID, 10), "site.created")
}

func (s *Server) siteEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	x, err := s.Sites.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !a.Manages(x.RegionCode) {
		return apperr.Forbidden("site.outside_scope")
	}
	d := siteFormData{ID: id, In: site.InputOf(x)}
	if x.HasPlace {
		d.Lng, d.Lat = strconv.FormatFloat(x.Lng, 'f', 6, 64), strconv.FormatFloat(x.Lat, 'f', 6, 64)
		if x.GeometryType != site.GeomPoint {
			d.Shape = x.Geometry
		}
	}
	return s.siteForm(w, r, http.StatusOK, d)
}

func (s *Server) siteUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := siteInputFrom(r)
	d.ID = id
	if err == nil {
		_, err = s.Sites.Update(r.Context(), actorOf(r), id, d.In)
	}
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d.Error = msg
		return s.siteForm(w, r, status, d)
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), "common.saved")
}

func (s *Server) siteSetActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := s.Sites.SetActive(r.Context(), actorOf(r), id, active); err != nil {
		return err
	}
	key := "site.deactivated"
	if active {
		key = "site.activated"
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), key)
}

// siteRegenerateQR replaces the site's QR code; the old one stops working.
func (s *Server) siteRegenerateQR(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Sites.RegenerateQR(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), "site.qr_regenerated")
}

type siteDetailData struct {
	Site      site.Site
	ScoreText string
	QRURL     string
	Shape     string // the place for the map, in the basemap's coordinates
	CanEdit   bool
	CanCheck  bool
	Rounds    []inspect.SiteRound
	Problems  []*problem.Case
}

func (s *Server) siteDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	x, err := s.Sites.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if x.OpenProblems, err = s.Sites.OpenProblemsNear(r.Context(), x); err != nil {
		return err
	}
	d := siteDetailData{Site: x, ScoreText: s.scoreText(x.Score), QRURL: site.QRURL(s.publicBase(r), x.QRToken),
		CanEdit: a.Manages(x.RegionCode), CanCheck: a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleInspector)}
	if x.HasPlace {
		d.Shape = s.viewGeometry(x.Geometry)
	}
	// The site's history: its inspection rounds and the problems found there.
	if d.Rounds, err = s.Inspections.SiteHistory(r.Context(), a, id); err != nil {
		return err
	}
	if d.Problems, _, err = s.Problems.List(r.Context(), a, problem.Filter{SiteID: id, Limit: 50}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "site", "site.detail_title", d)
	return nil
}

// siteCheck opens the site's checklist in the inspector's open plan; with
// none, it shows the site and says that no plan holds it.
func (s *Server) siteCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Sites.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if plan, ok, err := s.Inspections.OpenPlanFor(r.Context(), actorOf(r), id); err != nil {
		return err
	} else if ok {
		http.Redirect(w, r, "/inspections/"+strconv.FormatInt(plan, 10)+"/sites/"+strconv.FormatInt(id, 10)+"/check", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "site_check", "site.check_title", siteDetailData{Site: x, ScoreText: s.scoreText(x.Score)})
	return nil
}

// siteScan is where a scanned QR code lands. A signed-in inspector or
// office (or administrator) who may see the site goes to its checklist, a
// leader who may see it to its page; everybody else — a citizen, or staff
// of another district — to the public report form, which names the site.
func (s *Server) siteScan(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	x, err := s.Sites.ByQRToken(r.Context(), token)
	if err != nil {
		return err
	}
	a := actorOf(r)
	to := "/public/report?site=" + url.QueryEscape(x.QRToken)
	if a.SignedIn() && site.Sees(a, x.RegionCode) {
		to = "/sites/" + strconv.FormatInt(x.ID, 10)
		if x.Active && a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleInspector) {
			to += "/check"
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// publicBase is the scheme and host QR codes point to: the configured
// base URL when there is one, else those of the request (behind a trusted
// proxy, its X-Forwarded-Proto and X-Forwarded-Host).
func (s *Server) publicBase(r *http.Request) string {
	if s.Sites.BaseURL != "" {
		return s.Sites.BaseURL
	}
	scheme, host := "http", r.Host
	if r.TLS != nil || s.SecureCookies {
		scheme = "https"
	}
	if s.TrustProxy {
		if p := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0]); p == "https" || p == "http" {
			scheme = p
		}
		if h := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Host"), ",")[0]); h != "" {
			host = h
		}
	}
	return scheme + "://" + host
}

func (s *Server) siteQR(w http.ResponseWriter, r *http.Request, svg bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Sites.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	target := site.QRURL(s.publicBase(r), x.QRToken)
	h := w.Header()
	h.Set("Cache-Control", "private, max-age=3600")
	if r.URL.Query().Get("download") == "1" {
		ext := ".png"
		if svg {
			ext = ".svg"
		}
		name := x.Code + " " + x.Name + ext
		h.Set("Content-Disposition", "attachment; filename=\""+x.Code+ext+"\"; filename*=UTF-8''"+url.PathEscape(name))
	}
	if svg {
		out, err := site.QRSVG(target, x.Name)
		if err != nil {
			return err
		}
		h.Set("Content-Type", "image/svg+xml")
		_, err = io.WriteString(w, out)
		return err
	}
	scale, _ := strconv.Atoi(r.URL.Query().Get("scale"))
	png, err := site.QRPNG(target, scale)
	if err != nil {
		return err
	}
	h.Set("Content-Type", "image/png")
	_, err = w.Write(png)
	return err
}

func (s *Server) siteQRPNG(w http.ResponseWriter, r *http.Request) error {
	return s.siteQR(w, r, false)
}
func (s *Server) siteQRSVG(w http.ResponseWriter, r *http.Request) error { return s.siteQR(w, r, true) }

// maxSheetCodes bounds one printable sheet: about 80 A4 pages.
const maxSheetCodes = 1000

type qrCard struct {
	Site site.Site
	SVG  template.HTML
}

type qrSheetData struct {
	Cards    []qrCard
	Total    int
	Limit    int
	QueryStr string
	Types    []site.Type
	Query    url.Values
	Regions  []region.Region
}

// siteQRSheet is a page of QR codes to print on A4 and post at the sites:
// each with the site's name and code and what scanning it does.
func (s *Server) siteQRSheet(w http.ResponseWriter, r *http.Request) error {
	ctx, a, q := r.Context(), actorOf(r), r.URL.Query()
	f := siteFilter(q)
	f.Limit = maxSheetCodes
	list, total, err := s.Sites.List(ctx, a, f)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	d := qrSheetData{Total: total, Limit: maxSheetCodes, QueryStr: filterQuery(q), Query: q, Regions: s.siteRegions(r)}
	if d.Types, err = s.Sites.Types(ctx, true); err != nil {
		return err
	}
	for _, x := range list {
		svg, err := site.QRSVG(site.QRURL(base, x.QRToken), x.Name)
		if err != nil {
			return err
		}
		// The SVG is generated here from a URL and an escaped title; it
		// holds nothing a person typed unescaped.
		d.Cards = append(d.Cards, qrCard{Site: x, SVG: template.HTML(svg)}) //nolint:gosec
	}
	s.render(w, r, http.StatusOK, "site_qr_sheet", "site.qr_sheet_title", d)
	return nil
}

type siteMapData struct {
	QueryStr string
	Query    url.Values
	Types    []site.Type
	Regions  []region.Region
	Limit    int
}

func (s *Server) siteMap(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !site.CanRead(a) {
		return apperr.Forbidden("site.forbidden")
	}
	types, err := s.Sites.Types(r.Context(), true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "site_map", "site.map_title", siteMapData{QueryStr: filterQuery(q), Query: q, Types: types,
		Regions: s.siteRegions(r), Limit: site.MaxMapSites})
	return nil
}

// siteGeoJSON serves the map's sites. Coordinates are WGS-84; when the
// basemap is GCJ-02 each feature also carries its shifted point ("view").
func (s *Server) siteGeoJSON(w http.ResponseWriter, r *http.Request) error {
	fc, err := s.Sites.Map(r.Context(), actorOf(r), siteFilter(r.URL.Query()))
	if err != nil {
		return err
	}
	if s.gcjTiles() {
		for i := range fc.Features {
			c := fc.Features[i].Geometry.Coordinates
			p := geo.WGS84ToGCJ02(geo.Point{Lng: c[0], Lat: c[1]})
			fc.Features[i].Properties.View = &[2]float64{p.Lng, p.Lat}
		}
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(fc)
}

func (s *Server) gcjTiles() bool {
	return strings.EqualFold(s.Map.TileCRS, "gcj02") && s.Map.TileURL != ""
}

// viewGeometry returns a stored geometry in the basemap's coordinates.
func (s *Server) viewGeometry(g string) string {
	if !s.gcjTiles() {
		return g
	}
	var obj struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	if err := json.Unmarshal([]byte(g), &obj); err != nil {
		return g
	}
	obj.Coordinates = shiftCoords(obj.Coordinates)
	out, err := json.Marshal(obj)
	if err != nil {
		return g
	}
	return string(out)
}

// shiftCoords converts every [lng, lat] position in nested GeoJSON
// coordinates to GCJ-02.
func shiftCoords(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	if len(list) >= 2 {
		lng, ok1 := list[0].(float64)
		lat, ok2 := list[1].(float64)
		if ok1 && ok2 {
			p := geo.WGS84ToGCJ02(geo.Point{Lng: lng, Lat: lat})
			return []any{p.Lng, p.Lat}
		}
	}
	for i := range list {
		list[i] = shiftCoords(list[i])
	}
	return list
}

type siteImportData struct {
	Errors  []string
	Created int
	Updated int
	Done    bool
	Error   string
	Columns []string
}

func siteColumns() []string {
	var out []string
	for c := site.Column(0); c < site.ColLiaisonPhone+1; c++ {
		out = append(out, c.Header())
	}
	return out
}

func (s *Server) siteImportForm(w http.ResponseWriter, r *http.Request) error {
	if !site.CanWrite(actorOf(r)) {
		return apperr.Forbidden("site.forbidden")
	}
	s.render(w, r, http.StatusOK, "site_import", "site.import_title", siteImportData{Columns: siteColumns()})
	return nil
}

func (s *Server) siteImport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !site.CanWrite(a) {
		return apperr.Forbidden("site.forbidden")
	}
	d := siteImportData{Columns: siteColumns()}
	fail := func(err error) error {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d.Error = msg
		s.render(w, r, status, "site_import", "site.import_title", d)
		return nil
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.Invalid("site.import.file_required"))
	}
	defer f.Close()
	rep, rowErrs, err := s.Sites.ImportXLSX(r.Context(), a, f)
	if err != nil {
		return fail(err)
	}
	if len(rowErrs) > 0 {
		d.Errors = site.Messages(rowErrs, s.Catalog.T)
		s.render(w, r, http.StatusBadRequest, "site_import", "site.import_title", d)
		return nil
	}
	d.Done, d.Created, d.Updated = true, rep.Created, rep.Updated
	s.render(w, r, http.StatusOK, "site_import", "site.import_title", d)
	return nil
}

func (s *Server) siteExport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return apperr.Forbidden("site.forbidden")
	}
	f := siteFilter(r.URL.Query())
	if r.URL.Query().Get("state") == "" {
		f.State = "" // the whole register unless narrowed
	}
	now := s.Problems.Now()
	var buf bytes.Buffer
	if _, err := s.Sites.ExportXLSX(r.Context(), &buf, a, f, s.Catalog.T, now); err != nil {
		return err
	}
	name := s.Catalog.T("site.xlsx.file", now.In(s.loc).Format("20060102-1504")) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"sites.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := io.Copy(w, &buf)
	return err
}
