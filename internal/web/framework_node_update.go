package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/framework"
)

func (s *Server) fwNodeEdit(w http.ResponseWriter, r *http.Request) error {
	vid, n, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	in := framework.NodeInput{ParentID: n.ParentID, Code: n.Code, Text: n.Text, Position: n.Position, Methods: n.Methods,
		Score: n.Score, SiteTypes: n.SiteTypes, Categories: n.Categories}
	return s.fwNodeForm(w, r, http.StatusOK, fwNodeFormData{VersionID: vid, NodeID: n.ID, ParentID: n.ParentID, Level: n.Level,
		In: in, ScoreText: n.ScoreText(), CatText: strings.Join(n.Categories, "、")})
}

func (s *Server) fwNodeUpdate(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	vid, cur, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	f, err := s.parseNodeForm(r)
	f.ParentID = cur.ParentID
	if err == nil {
		if _, err = s.Framework.UpdateNode(r.Context(), a, cur.ID, f.NodeInput); err == nil {
			return s.redirectWith(w, r, fwVersionPath(vid)+"#n-"+strconv.FormatInt(cur.ID, 10), "framework.node_saved")
		}
	}
	return s.refusedOrMissing(err, func(status int, msg string) error {
		return s.fwNodeForm(w, r, status, fwNodeFormData{VersionID: vid, NodeID: cur.ID, ParentID: cur.ParentID, Level: cur.Level, In: f.NodeInput,
			ScoreText: f.ScoreText, CatText: f.CatText, Error: msg})
	})
}
