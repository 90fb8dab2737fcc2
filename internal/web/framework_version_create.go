package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/framework"
)

// versionForm is the form of a new version (a copy of CopyOf, or empty)
// and of a version's name and note.
type versionForm struct {
	framework.VersionInput
}

func parseVersionForm(r *http.Request) (versionForm, error) {
	if err := r.ParseForm(); err != nil {
		return versionForm{}, err
	}
	return versionForm{framework.VersionInput{Name: r.PostFormValue("name"), Note: r.PostFormValue("note"), CopyOf: formID(r, "copy_of")}}, nil
}

func (s *Server) fwCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseVersionForm(r)
	if err != nil {
		return err
	}
	v, err := s.Framework.CreateVersion(r.Context(), actorOf(r), f.VersionInput)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwIndexPage(w, r, status, fwIndexData{NewName: f.Name, NewNote: f.Note, CopyOf: f.CopyOf, Error: msg})
		})
	}
	return s.redirectWith(w, r, fwVersionPath(v.ID), "framework.version_created")
}
