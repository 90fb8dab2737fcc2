package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/problem"
)

// A report form that is refused keeps the photos chosen with it: they are
// stored (by hash, as every photo) and the form comes back with a ticket
// per photo, which the next post carries instead of the file. A ticket
// names the hash, the time it runs out and an HMAC binding both to the
// client's session or pre-session cookie, so nobody attaches a photo they
// did not upload themselves by guessing or copying its hash.

// keptTTL is how long a refused form's photos may be attached.
const keptTTL = 2 * time.Hour

// keptPhoto is a photo kept from a refused form.
type keptPhoto struct {
	Hash   string
	Ticket string
	photo  media.Photo
}

// keepTicket binds a photo to the client until until.
func (s *Server) keepTicket(subject, hash string, until time.Time) string {
	exp := strconv.FormatInt(until.Unix(), 36)
	return hash + "." + exp + "." + s.keepMAC(subject, hash, exp)
}

func (s *Server) keepMAC(subject, hash, exp string) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("kept-photo|" + subject + "|" + hash + "|" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// keptHash checks a ticket for the client and returns its photo's hash.
func (s *Server) keptHash(subject, ticket string, now time.Time) (string, bool) {
	hash, rest, ok := strings.Cut(ticket, ".")
	if !ok || subject == "" || !media.ValidHash(hash) {
		return "", false
	}
	exp, mac, ok := strings.Cut(rest, ".")
	if !ok {
		return "", false
	}
	until, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || now.Unix() > until {
		return "", false
	}
	if !hmac.Equal([]byte(mac), []byte(s.keepMAC(subject, hash, exp))) {
		return "", false
	}
	return hash, true
}

// keptPhotos reads the tickets posted in field: the photos this client
// kept from its refused form. Tickets that do not check out (someone
// else's, run out, forged) are dropped, as are photos no longer stored.
func (s *Server) keptPhotos(r *http.Request, field string) ([]keptPhoto, error) {
	subject, now := clientSubject(reqInfo(r)), s.Problems.Now()
	var out []keptPhoto
	seen := map[string]bool{}
	for _, t := range r.PostForm[field] {
		hash, ok := s.keptHash(subject, t, now)
		if !ok || seen[hash] {
			continue
		}
		p, err := s.Media.Get(r.Context(), hash)
		if apperr.As(err).Kind == apperr.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		seen[hash] = true
		out = append(out, keptPhoto{Hash: hash, Ticket: t, photo: p})
	}
	if len(out) > problem.MaxPhotos {
		return nil, apperr.Invalid("problem.too_many_photos", problem.MaxPhotos)
	}
	return out, nil
}

// keepPhotos stores the photos of a refused form, after those it already
// kept, and returns them all with fresh tickets (up to the maximum). A
// file that is no photo is left out: the form says why it was refused.
func (s *Server) keepPhotos(ctx context.Context, r *http.Request, kept []keptPhoto, files []*multipart.FileHeader) ([]keptPhoto, error) {
	subject := clientSubject(reqInfo(r))
	if subject == "" {
		return nil, nil
	}
	until := s.Problems.Now().Add(keptTTL)
	out := make([]keptPhoto, 0, len(kept)+len(files))
	seen := map[string]bool{}
	add := func(p media.Photo) {
		if !seen[p.Hash] && len(out) < problem.MaxPhotos {
			seen[p.Hash] = true
			out = append(out, keptPhoto{Hash: p.Hash, Ticket: s.keepTicket(subject, p.Hash, until), photo: p})
		}
	}
	for _, k := range kept {
		add(k.photo)
	}
	for _, fh := range files {
		if len(out) >= problem.MaxPhotos {
			break
		}
		_, photos, err := s.ingestPhotos(ctx, []*multipart.FileHeader{fh})
		if apperr.As(err).Kind == apperr.KindInvalid {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, p := range photos {
			add(p)
		}
	}
	return out, nil
}

// keptPhoto shows the thumbnail of a kept photo to the client that kept it.
func (s *Server) keptPhoto(w http.ResponseWriter, r *http.Request) error {
	hash, ok := s.keptHash(clientSubject(reqInfo(r)), r.PathValue("ticket"), s.Problems.Now())
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	return s.servePhoto(w, r, hash, media.SizeThumb, "private, max-age=3600")
}

// servePhoto writes a derived, EXIF-free copy of a photo.
func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request, hash, size, cache string) error {
	rc, err := s.Media.OpenDerived(r.Context(), hash, size)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = copyBody(w, rc)
	return err
}
