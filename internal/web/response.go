package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
)

func (s *Server) download(w http.ResponseWriter, buf *bytes.Buffer, mime, ascii, name string) error {
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", "attachment; filename=\""+ascii+"\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	_, err := io.Copy(w, buf)
	return err
}

// refused is the one way a form answers a refusal: when the domain refused
// the input (invalid, conflicting or forbidden), show renders the page
// again with the translated reason and the status of its kind; any other
// error goes to the error page.
//
//	if err != nil {
//		return s.refused(err, func(status int, msg string) error {
//			return s.showUnitForm(w, r, status, unitFormData{In: f.UnitInput, Error: msg})
//		})
//	}
func (s *Server) refused(err error, show func(status int, msg string) error) error {
	return s.refusedIf(err, false, show)
}

// refusedOrMissing is refused that also shows a missing record (deleted
// in another tab, a year without a built-in schedule) on the page, at 404.
func (s *Server) refusedOrMissing(err error, show func(status int, msg string) error) error {
	return s.refusedIf(err, true, show)
}

func (s *Server) refusedIf(err error, missing bool, show func(status int, msg string) error) error {
	e := apperr.As(err)
	switch e.Kind {
	case apperr.KindInvalid, apperr.KindConflict, apperr.KindForbidden:
		return show(httpx.Status(e.Kind), s.Catalog.T(e.Code, e.Args...))
	case apperr.KindNotFound:
		if missing && s.Catalog.Has(e.Code) {
			return show(http.StatusNotFound, s.Catalog.T(e.Code, e.Args...))
		}
	}
	return err
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// setFlash leaves a catalogue key and its arguments for the next page to
// show once. The cookie holds the key and arguments, not the text, signed
// with the installation key so that no other site can make a page say
// something in the application's name.
func (s *Server) setFlash(w http.ResponseWriter, key string, args ...string) {
	body, _ := json.Marshal(append([]string{key}, args...))
	payload := base64.RawURLEncoding.EncodeToString(body)
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: payload + "." + s.flashMAC(payload), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) flashMAC(payload string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("flash|" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	s.clearCookie(w, flashCookie)
	payload, mac, _ := strings.Cut(c.Value, ".")
	if !hmac.Equal([]byte(mac), []byte(s.flashMAC(payload))) {
		return ""
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	var parts []string
	if err != nil || json.Unmarshal(body, &parts) != nil || len(parts) == 0 || !s.Catalog.Has(parts[0]) {
		return ""
	}
	args := make([]any, len(parts)-1)
	for i, a := range parts[1:] {
		args[i] = a
	}
	return s.Catalog.T(parts[0], args...)
}

// redirectWith sends the browser on after a successful change, with a
// confirmation (a catalogue key and its arguments) for the next page.
func (s *Server) redirectWith(w http.ResponseWriter, r *http.Request, to, flashKey string, args ...string) error {
	if flashKey != "" {
		s.setFlash(w, flashKey, args...)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// fail renders an error page with the status of its kind.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := httpx.Status(e.Kind)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e, status = apperr.Invalid("error.body_too_large"), http.StatusRequestEntityTooLarge
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The person went away (closed the tab, the wall reloaded): nobody
		// reads an answer, and it is not the server's failure.
		s.Log.Debug("request abandoned", "method", r.Method, "path", r.URL.Path)
		return
	}
	if status >= 500 {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Kind == apperr.KindUnauthorized && r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	msg := s.Catalog.T(e.Code, e.Args...)
	if (status >= 500 && e.Kind != apperr.KindUnavailable) || !s.Catalog.Has(e.Code) {
		msg = s.Catalog.T(kindMessage(e.Kind))
	}
	s.render(w, r, status, "error", "error.title", map[string]any{"Message": msg, "Status": status})
}

func kindMessage(k apperr.Kind) string {
	switch k {
	case apperr.KindInvalid:
		return "error.invalid"
	case apperr.KindUnauthorized:
		return "error.unauthorized"
	case apperr.KindForbidden:
		return "error.forbidden"
	case apperr.KindNotFound:
		return "error.not_found"
	case apperr.KindTooMany:
		return "error.too_many"
	}
	return "error.internal"
}

// copyBody streams a stored file to the client.
func copyBody(w http.ResponseWriter, r io.Reader) (int64, error) { return io.Copy(w, r) }

// writeJSON sends v as the JSON body (the headers set before). Only a
// value that cannot be encoded is an error: a failed write is a person
// who went away (the wall screen reloaded), and an error page after the
// first bytes would be a second answer to a closed connection.
func writeJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	w.Write(append(body, '\n')) //nolint:errcheck // see above
	return nil
}
