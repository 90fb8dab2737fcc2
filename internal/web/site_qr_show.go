package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wenming-civic/wenming/internal/site"
)

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
