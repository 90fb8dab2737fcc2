package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

type publicData struct {
	reportData
	Code      string
	SiteToken string // a scanned site's QR token: the report is about that site
	SiteName  string
}

// withSite fills the place of a report from a scanned site's QR code.
func (s *Server) withSite(r *http.Request, d *publicData, token string) {
	if token == "" {
		return
	}
	st, err := s.Sites.ByQRToken(r.Context(), token)
	if err != nil || !st.Active {
		return
	}
	d.SiteToken, d.SiteName = token, st.Name
	d.In.RegionCode, d.In.SiteID = st.RegionCode, st.ID
	if d.In.Address == "" {
		d.In.Address = st.Name + " " + st.Address
	}
	if st.HasPlace && d.Lng == "" {
		d.Lng, d.Lat = strconv.FormatFloat(st.Lng, 'f', 6, 64), strconv.FormatFloat(st.Lat, 'f', 6, 64)
	}
}

func (s *Server) publicForm(w http.ResponseWriter, r *http.Request) error {
	s.ensurePre(w, r)
	cats, err := s.CategoryGroups(r.Context())
	if err != nil {
		return err
	}
	d := publicData{reportData: reportData{Categories: cats}}
	s.withSite(r, &d, r.URL.Query().Get("site"))
	s.render(w, r, http.StatusOK, "public_report", "public.title", d)
	return nil
}

func (s *Server) publicSubmit(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.PublicLimit.Allow(r.Context(), "public:"+s.clientAddr(r))
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.KindTooMany, "public.too_many")
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	in, _, err := s.reportInput(r)
	var c *problem.Case
	if err == nil {
		in.Source = problem.SourceCitizen
		if tok := r.PostFormValue("site"); tok != "" {
			if st, serr := s.Sites.ByQRToken(r.Context(), tok); serr == nil && st.Active {
				in.SiteID = st.ID
			}
		}
		c, err = s.Problems.Report(r.Context(), access.Actor{}, in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			cats, cerr := s.CategoryGroups(r.Context())
			if cerr != nil {
				return cerr
			}
			d := publicData{reportData: reportData{Categories: cats, In: in, Error: msg, Lng: r.PostFormValue("lng"), Lat: r.PostFormValue("lat")}}
			s.render(w, r, status, "public_report", "public.title", d)
			return nil
		})
	}
	s.render(w, r, http.StatusCreated, "public_done", "public.title", publicData{Code: c.Code})
	return nil
}
