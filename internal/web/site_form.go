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
	ID       int64
	In       site.Input
	Lng, Lat string
	Shape    string
	Types    []site.Type
	// The units, picked by name as one types (each offering its kinds).
	Territorial unitPicked
	Department  unitPicked
	Sponsor     unitPicked
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
	for _, x := range []struct {
		p    *unitPicked
		spec unitPicked
		id   int64
	}{
		{&d.Territorial, siteTerritorialPicker(), d.In.TerritorialUnitID},
		{&d.Department, siteDepartmentPicker(), d.In.DepartmentUnitID},
		{&d.Sponsor, siteSponsorPicker(), d.In.SponsorUnitID},
	} {
		if x.p.Field == "" {
			if *x.p, err = s.shownUnit(ctx, a, x.spec, x.id); err != nil {
				return err
			}
		}
	}
	title := "site.new_title"
	if d.ID != 0 {
		title = "site.edit_title"
	}
	s.render(w, r, status, "site_form", title, d)
	return nil
}

// The site form's unit fields, each offering the kinds the site package
// accepts there.
func siteTerritorialPicker() unitPicked {
	return unitPicked{Field: "territorial_unit_id", Label: "site.territorial_unit", Hint: "site.territorial_auto",
		Kinds: string(org.KindTerritorial)}
}

func siteDepartmentPicker() unitPicked {
	return unitPicked{Field: "department_unit_id", Label: "site.department_unit", Kinds: string(org.KindDepartment)}
}

func siteSponsorPicker() unitPicked {
	return unitPicked{Field: "sponsor_unit_id", Label: "site.sponsor_unit",
		Kinds: string(org.KindSponsor) + "," + string(org.KindDepartment) + "," + string(org.KindOffice) + "," + string(org.KindOther)}
}

// parseSiteForm reads the site form. Its units are checked for the
// person (names typed without the script found); a refusal of one is the
// error, the form kept to show again. The place is the GeoJSON of the
// shape box when filled (roads, alleys, areas), else the point of the
// longitude and latitude boxes, else none.
func (s *Server) parseSiteForm(r *http.Request) (siteFormData, error) {
	if err := r.ParseForm(); err != nil {
		return siteFormData{}, err
	}
	d := siteFormData{Lng: strings.TrimSpace(r.PostFormValue("lng")), Lat: strings.TrimSpace(r.PostFormValue("lat")),
		Shape: strings.TrimSpace(r.PostFormValue("geometry"))}
	var err error
	for _, x := range []struct {
		p    *unitPicked
		spec unitPicked
	}{{&d.Territorial, siteTerritorialPicker()}, {&d.Department, siteDepartmentPicker()}, {&d.Sponsor, siteSponsorPicker()}} {
		var perr error
		if *x.p, perr = s.postedUnit(r, x.spec); err == nil {
			err = perr
		}
	}
	d.In = site.Input{
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), TypeCode: r.PostFormValue("type_code"),
		RegionCode: r.PostFormValue("region_code"), Address: r.PostFormValue("address"),
		TerritorialUnitID: d.Territorial.ID, DepartmentUnitID: d.Department.ID,
		SponsorUnitID: d.Sponsor.ID, SponsorLeader: r.PostFormValue("sponsor_leader"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"),
		LiaisonName: r.PostFormValue("liaison_name"), LiaisonPhone: r.PostFormValue("liaison_phone"),
	}
	if err != nil {
		return d, err
	}
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
