package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/site"
)

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

// parseSiteForm reads the site form. The place is the GeoJSON of the
// shape box when filled (roads, alleys, areas), else the point of the
// longitude and latitude boxes, else none.
func parseSiteForm(r *http.Request) (siteFormData, error) {
	if err := r.ParseForm(); err != nil {
		return siteFormData{}, err
	}
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
