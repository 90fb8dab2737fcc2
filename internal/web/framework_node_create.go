package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

// fwNodeNew is the form of a new node under ?parent= (none: an item); the
// tree loads it into its page when "add" is opened.
func (s *Server) fwNodeNew(w http.ResponseWriter, r *http.Request) error {
	vid, err := pathID(r)
	if err != nil {
		return err
	}
	d := fwNodeFormData{VersionID: vid, Level: framework.LevelItem}
	if parent, _ := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64); parent > 0 {
		p, err := s.Framework.Node(r.Context(), actorOf(r), parent)
		if err != nil {
			return err
		}
		if p.VersionID != vid || p.IsCriterion() {
			return apperr.NotFound("framework.node_not_found")
		}
		d.ParentID, d.ParentCode, d.Level = p.ID, p.Code, p.Level+1
	}
	if d.Level == framework.LevelCriterion {
		d.In.Methods = []framework.Method{framework.MethodField}
	}
	return s.fwNodeForm(w, r, http.StatusOK, d)
}

func (s *Server) fwNodeCreate(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	vid, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.parseNodeForm(r)
	if err == nil {
		var n framework.Node
		if n, err = s.Framework.CreateNode(r.Context(), a, vid, f.NodeInput); err == nil {
			return s.redirectWith(w, r, fwVersionPath(vid)+"#n-"+strconv.FormatInt(n.ID, 10), "framework.node_saved")
		}
	}
	return s.refusedOrMissing(err, func(status int, msg string) error {
		level := framework.LevelItem
		if f.ParentID != 0 {
			p, perr := s.Framework.Node(r.Context(), a, f.ParentID)
			if perr != nil {
				return perr
			}
			level = p.Level + 1
		}
		return s.fwNodeForm(w, r, status, fwNodeFormData{VersionID: vid, ParentID: f.ParentID, Level: level, In: f.NodeInput,
			ScoreText: f.ScoreText, CatText: f.CatText, Error: msg})
	})
}
