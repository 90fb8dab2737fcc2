package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/site"
)

func (s *Server) registerInspections(mux *http.ServeMux) {
	mux.Handle("GET /inspections", s.page(s.planList, true))
	mux.Handle("POST /inspections", s.page(s.planCreate, true))
	mux.Handle("GET /inspections/{id}", s.page(s.planPage, true))
	mux.Handle("POST /inspections/{id}/publish", s.page(s.planPublish, true))
	mux.Handle("GET /inspections/{id}/export.xlsx", s.page(s.planExport, true))
	mux.Handle("POST /inspections/{id}/followup", s.page(s.planFollowup, true))
	mux.Handle("POST /inspections/{id}/assign", s.page(s.planAssign, true))
	mux.Handle("POST /inspections/{id}/sites/{site}/assign", s.page(s.planAssignSite, true))
	mux.Handle("GET /inspections/{id}/sites/{site}/check", s.page(s.checklist, true))
	mux.Handle("POST /inspections/{id}/sites/{site}/check", s.page(s.checklistSubmit, true))
}

type planListData struct {
	Plans      []inspect.Plan
	CanPlan    bool
	Types      []framework.SiteType
	Inspectors []org.User
	Sites      []site.Site
	Today      string
	Error      string
}

func (s *Server) planListData(r *http.Request) (planListData, error) {
	ctx, a := r.Context(), actorOf(r)
	plans, err := s.Inspections.Plans(ctx, a)
	if err != nil {
		return planListData{}, err
	}
	d := planListData{Plans: plans, CanPlan: a.HasAny(access.RoleAdmin, access.RoleOffice), Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
	if d.CanPlan {
		if d.Types, err = s.Framework.SiteTypes(ctx, false); err != nil {
			return d, err
		}
		if d.Inspectors, _, err = s.Org.ListUsers(ctx, a, org.UserFilter{Role: access.RoleInspector, Limit: 500}); err != nil {
			return d, err
		}
		if d.Sites, _, err = s.Sites.List(ctx, a, site.Filter{State: "active", Limit: 1000}); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) planList(w http.ResponseWriter, r *http.Request) error {
	if !actorOf(r).HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector) {
		return apperr.Forbidden("error.forbidden")
	}
	d, err := s.planListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inspections", "inspect.title", d)
	return nil
}

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) error {
	in := inspect.PlanInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		Covert: r.PostFormValue("covert") == "1", StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Assign: strings.TrimSpace(r.PostFormValue("assign"))}
	for _, v := range r.PostForm["inspectors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Inspectors = append(in.Inspectors, id)
		}
	}
	if r.PostFormValue("mode") == "sample" {
		seed, _ := strconv.ParseInt(r.PostFormValue("seed"), 10, 64)
		sm := &inspect.Sampling{PerType: map[string]int{}, Seed: seed}
		for k, v := range r.PostForm {
			if t, ok := strings.CutPrefix(k, "n_"); ok && len(v) == 1 {
				if n, err := strconv.Atoi(v[0]); err == nil && n > 0 {
					sm.PerType[t] = n
				}
			}
		}
		in.Sampling = sm
	} else if r.PostFormValue("mode") == "hand" {
		for _, v := range r.PostForm["site"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.SiteIDs = append(in.SiteIDs, id)
			}
		}
	} else {
		ids, err := s.Inspections.AllSiteIDs(r.Context(), actorOf(r), in.RegionCode)
		if err != nil {
			return err
		}
		in.SiteIDs = ids
	}
	p, err := s.Inspections.CreatePlan(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d, derr := s.planListData(r)
		if derr != nil {
			return derr
		}
		d.Error = msg
		s.render(w, r, status, "inspections", "inspect.title", d)
		return nil
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(p.ID, 10), "inspect.created")
}

type planPageData struct {
	Results inspect.Results
	CanPlan bool
	Mine    bool
	Names   map[int64]string
	Today   string
	// MySites are, for an inspector of the plan, the sites assigned to
	// them and then the open sites nobody is assigned to.
	MySites []inspect.SiteScore
	Me      int64
}

// MayCheck reports whether the signed-in inspector of the plan may open a
// site's checklist: not inspected yet, and theirs or nobody's.
func (d planPageData) MayCheck(sc inspect.SiteScore) bool {
	return d.Mine && !sc.Done && (sc.AssigneeID == 0 || sc.AssigneeID == d.Me)
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	res, err := s.Inspections.Results(ctx, a, id)
	if err != nil {
		return err
	}
	d := planPageData{Results: res, CanPlan: a.IsAdmin() || (a.Has(access.RoleOffice) && a.Manages(res.Plan.RegionCode)),
		Names: map[int64]string{}, Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
	for _, uid := range res.Plan.Inspectors {
		d.Mine = d.Mine || uid == a.UserID
		if u, err := s.Org.GetUser(ctx, access.System(), uid); err == nil {
			d.Names[uid] = u.DisplayName
		}
	}
	if d.Mine {
		d.Me = a.UserID
		var open []inspect.SiteScore
		for _, sc := range res.Sites {
			switch {
			case sc.AssigneeID == a.UserID:
				d.MySites = append(d.MySites, sc)
			case sc.AssigneeID == 0 && !sc.Done:
				open = append(open, sc)
			}
		}
		d.MySites = append(d.MySites, open...)
	}
	s.render(w, r, http.StatusOK, "inspection", "inspect.plan_title", d)
	return nil
}

func (s *Server) planPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Inspections.Publish(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(id, 10), "inspect.published")
}

// planAssign deals the plan's open sites to its inspectors by street or
// evenly.
func (s *Server) planAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Inspections.AssignSites(r.Context(), actorOf(r), id, r.PostFormValue("mode")); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(id, 10), "inspect.assigned")
}

// planAssignSite assigns one site to an inspector of the plan (0: anyone).
func (s *Server) planAssignSite(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	if err := s.Inspections.AssignSite(r.Context(), actorOf(r), plan, site, formID(r, "inspector")); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(plan, 10)+"#site-"+strconv.FormatInt(site, 10), "inspect.assigned")
}

func (s *Server) planFollowup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name, start, end := r.PostFormValue("name"), r.PostFormValue("starts_on"), r.PostFormValue("ends_on")
	if start == "" || end == "" {
		// Follow-ups start today and last a week unless said otherwise.
		today := s.Problems.Now().In(s.loc)
		start, end = today.Format("2006-01-02"), today.AddDate(0, 0, 7).Format("2006-01-02")
	}
	if strings.TrimSpace(name) == "" {
		prev, err := s.Inspections.Plan(r.Context(), actorOf(r), id)
		if err != nil {
			return err
		}
		name = prev.Name + "（" + s.Catalog.T("inspect.followup_badge") + "）"
	}
	p, err := s.Inspections.Followup(r.Context(), actorOf(r), id, name, start, end)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(p.ID, 10), "inspect.created")
}

type checklistData struct {
	List     inspect.Checklist
	Result   *inspect.Inspection
	Error    string
	ClientID string
}

func (s *Server) checklistIDs(r *http.Request) (int64, int64, error) {
	plan, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	site, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
	if err != nil {
		return 0, 0, apperr.NotFound("error.not_found")
	}
	return plan, site, nil
}

func (s *Server) checklist(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	cl, err := s.Inspections.Checklist(r.Context(), actorOf(r), plan, site)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "checklist", "inspect.check_title", checklistData{List: cl, Result: cl.Done})
	return nil
}

// checklistSubmit takes a finished checklist; a failure's photo comes in
// the field photo_<criterion id>.
func (s *Server) checklistSubmit(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	cl, err := s.Inspections.Checklist(ctx, a, plan, site)
	if err != nil {
		return err
	}
	in := inspect.SubmitInput{PlanID: plan, SiteID: site, ClientID: r.PostFormValue("client_id"), Note: r.PostFormValue("note")}
	lng, errLng := strconv.ParseFloat(r.PostFormValue("lng"), 64)
	lat, errLat := strconv.ParseFloat(r.PostFormValue("lat"), 64)
	if errLng == nil && errLat == nil {
		in.Lng, in.Lat, in.HasPlace = lng, lat, true
	}
	fail := func(err error) error {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		s.render(w, r, status, "checklist", "inspect.check_title", checklistData{List: cl, Error: msg, ClientID: in.ClientID})
		return nil
	}
	for _, c := range cl.Criteria {
		key := strconv.FormatInt(c.ID, 10)
		res := inspect.ResultInput{NodeID: c.ID, Outcome: inspect.Outcome(r.PostFormValue("o_" + key)), Note: r.PostFormValue("note_" + key)}
		if res.Outcome == "" {
			continue // the store names how many are missing
		}
		if res.Outcome == inspect.Fail && r.MultipartForm != nil {
			hashes, _, err := s.ingestPhotos(ctx, r.MultipartForm.File["photo_"+key])
			if err != nil {
				return fail(err)
			}
			if len(hashes) > 0 {
				res.Photo = hashes[0]
			}
			if fixed, _, err := s.ingestPhotos(ctx, r.MultipartForm.File["fixed_"+key]); err != nil {
				return fail(err)
			} else if len(fixed) > 0 {
				res.Fixed = fixed[0]
			}
		}
		in.Results = append(in.Results, res)
	}
	ins, err := s.Inspections.Submit(ctx, a, in)
	if err != nil {
		return fail(err)
	}
	cl.Done = &ins
	s.render(w, r, http.StatusOK, "checklist", "inspect.check_title", checklistData{List: cl, Result: &ins})
	return nil
}

// planExport writes the plan's results as an Excel workbook.
func (s *Server) planExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	res, err := s.Inspections.Results(ctx, a, id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, uid := range res.Plan.Inspectors {
		if u, err := s.Org.GetUser(ctx, access.System(), uid); err == nil {
			names[uid] = u.DisplayName
		}
	}
	var buf bytes.Buffer
	if err := inspect.ExportXLSX(&buf, res, names, s.Catalog.T); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"inspection.xlsx\"; filename*=UTF-8''"+url.PathEscape(res.Plan.Name)+".xlsx")
	_, err = io.Copy(w, &buf)
	return err
}
