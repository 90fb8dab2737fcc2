package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/site"
)

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
