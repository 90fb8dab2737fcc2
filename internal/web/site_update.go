package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/site"
)

func (s *Server) siteEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Sites.Edit(r.Context(), actorOf(r), id)
	if err != nil {
		return err
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
	d, err := s.parseSiteForm(r)
	d.ID = id
	if err == nil {
		_, err = s.Sites.Update(r.Context(), actorOf(r), id, d.In)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			return s.siteForm(w, r, status, d)
		})
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), "common.saved")
}
