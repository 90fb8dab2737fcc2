package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/framework"
)

func (s *Server) fwCreate(w http.ResponseWriter, r *http.Request) error {
	in := framework.VersionInput{Name: r.PostFormValue("name"), Note: r.PostFormValue("note"), CopyOf: formID(r, "copy_of")}
	v, err := s.Framework.CreateVersion(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwIndexPage(w, r, status, fwIndexData{NewName: in.Name, NewNote: in.Note, CopyOf: in.CopyOf, Error: msg})
		})
	}
	return s.redirectWith(w, r, fwVersionPath(v.ID), "framework.version_created")
}
