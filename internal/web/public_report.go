package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// The public report form (市民随手拍): no account, phone optional, rate
// limited per client address (routes.go); reports land as "reported" for
// the office.

type publicData struct {
	reportData
	Code      string
	SiteToken string // a scanned site's QR token: the report is about that site
	SiteName  string
	TrackURL  string // the private link to the report's status page
}

// scannedSite looks up the site of a QR token. ok is false without a
// token, or for an unknown or retired code: the form goes on without a
// site and the citizen describes the place. Other errors are returned.
func (s *Server) scannedSite(ctx context.Context, token string) (x site.Site, ok bool, err error) {
	if token == "" {
		return site.Site{}, false, nil
	}
	x, err = s.Sites.ByQRToken(ctx, token)
	if errors.Is(err, apperr.ErrNotFound) {
		return site.Site{}, false, nil
	}
	if err != nil {
		return site.Site{}, false, err
	}
	return x, x.Active, nil
}

// publicForm shows the form; from a scanned QR code, with the site's
// place filled in.
func (s *Server) publicForm(w http.ResponseWriter, r *http.Request) error {
	s.ensurePre(w, r)
	cats, err := s.CategoryGroups(r.Context())
	if err != nil {
		return err
	}
	d := publicData{reportData: reportData{Categories: cats}}
	token := r.URL.Query().Get("site")
	st, ok, err := s.scannedSite(r.Context(), token)
	if err != nil {
		return err
	}
	if ok {
		d.SiteToken, d.SiteName = token, st.Name
		d.In.RegionCode, d.In.SiteID, d.In.Address = st.RegionCode, st.ID, st.Name+" "+st.Address
		if st.HasPlace {
			d.Lng, d.Lat = strconv.FormatFloat(st.Lng, 'f', 6, 64), strconv.FormatFloat(st.Lat, 'f', 6, 64)
		}
	}
	s.render(w, r, http.StatusOK, "public_report", "public.title", d)
	return nil
}

// publicSubmit files a citizen's report. The form is checked before its
// photos are stored; refused, it is shown again with what was entered.
func (s *Server) publicSubmit(w http.ResponseWriter, r *http.Request) error {
	f, err := s.parseReportForm(r, false)
	f.In.Source = problem.SourceCitizen
	st, about, serr := s.scannedSite(r.Context(), f.Site)
	if serr != nil {
		return serr
	}
	if about {
		f.In.SiteID = st.ID
	}
	// A citizen signed in files as themselves: the report is then among
	// their 我的上报 too.
	a := actorOf(r)
	var c *problem.Case
	var token string
	if err == nil {
		err = s.Problems.CheckReport(r.Context(), a, f.In)
	}
	if err == nil {
		err = s.storePhotos(r, f)
	}
	if err == nil {
		c, token, err = s.Problems.ReportTracked(r.Context(), a, f.In)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			cats, cerr := s.CategoryGroups(r.Context())
			if cerr != nil {
				return cerr
			}
			d := publicData{reportData: reportData{Categories: cats, In: f.In, Error: msg, Lng: f.Lng, Lat: f.Lat}}
			if kerr := s.keepRefused(r, f, &d.reportData, false); kerr != nil {
				return kerr
			}
			if about {
				d.SiteToken, d.SiteName = f.Site, st.Name
			}
			s.render(w, r, status, "public_report", "public.title", d)
			return nil
		})
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusCreated, "public_done", "public.title", publicData{Code: c.Code, TrackURL: s.absoluteURL(r, "/track/"+token)})
	return nil
}

// absoluteURL is path on this server as the public reaches it (the
// configured base URL, else the request's): a link the citizen keeps and
// opens later.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	return strings.TrimRight(s.publicBase(r), "/") + path
}
