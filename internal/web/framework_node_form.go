package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

type fwNodeFormData struct {
	VersionID   int64
	VersionName string
	NodeID      int64 // 0: a new node
	ParentID    int64
	ParentCode  string
	Level       framework.Level
	In          framework.NodeInput
	ScoreText   string
	Methods     []fwCheck
	SiteChecks  []fwCheck
	CatText     string
	Error       string
}

// nodeForm is a node form as posted: the input, and the categories and
// score as typed, to show again.
type nodeForm struct {
	framework.NodeInput
	CatText, ScoreText string
}

// parseNodeForm reads a node form. A score that is not a number is an
// error of its own, since NodeInput holds only valid scores.
func (s *Server) parseNodeForm(r *http.Request) (nodeForm, error) {
	if err := r.ParseForm(); err != nil {
		return nodeForm{}, err
	}
	in, cats, err := s.nodeInput(r)
	return nodeForm{NodeInput: in, CatText: cats, ScoreText: r.PostFormValue("score")}, err
}

func (s *Server) nodeInput(r *http.Request) (framework.NodeInput, string, error) {
	in := framework.NodeInput{ParentID: formID(r, "parent_id"), Code: r.PostFormValue("code"), Text: r.PostFormValue("text"),
		Position: formInt(r, "position")}
	for _, m := range r.PostForm["methods"] {
		in.Methods = append(in.Methods, framework.Method(m))
	}
	in.SiteTypes = r.PostForm["site_types"]
	cats := r.PostFormValue("categories")
	if cats != "" {
		lk, err := s.Framework.Lookups(r.Context())
		if err != nil {
			return in, cats, err
		}
		for _, c := range framework.SplitList(cats) {
			if code, ok := lk.Category(c); ok {
				c = code
			}
			in.Categories = append(in.Categories, c)
		}
	}
	scoreText := strings.TrimSpace(r.PostFormValue("score"))
	score, ok := framework.ParseScore(scoreText)
	if !ok {
		return in, cats, apperr.Invalid("framework.score_invalid", framework.MaxScore)
	}
	in.Score = score
	return in, cats, nil
}

// fwNodeForm renders the node form, new (d.NodeID 0) or to edit; the
// store decides whether the actor may use it.
func (s *Server) fwNodeForm(w http.ResponseWriter, r *http.Request, status int, d fwNodeFormData) error {
	if _, err := s.Framework.EditNode(r.Context(), actorOf(r), d.NodeID); err != nil {
		return err
	}
	v, err := s.Framework.VersionInfo(r.Context(), actorOf(r), d.VersionID)
	if err != nil {
		return err
	}
	d.VersionName = v.Name
	if d.Level == framework.LevelCriterion {
		l, err := s.fwLabels(r, false)
		if err != nil {
			return err
		}
		d.Methods = s.fwMethodChecks(d.In.Methods)
		d.SiteChecks = l.siteChecks(d.In.SiteTypes)
	}
	title := "framework.node_new"
	if d.NodeID != 0 {
		title = "framework.node_edit"
	}
	s.render(w, r, status, "framework_node", title, d)
	return nil
}

// fwPathNode reads the version and node ids of the path and checks that
// the node is in the version.
func (s *Server) fwPathNode(r *http.Request) (int64, framework.Node, error) {
	vid, err := pathID(r)
	if err != nil {
		return 0, framework.Node{}, err
	}
	nid, err := strconv.ParseInt(r.PathValue("nid"), 10, 64)
	if err != nil || nid <= 0 {
		return 0, framework.Node{}, apperr.NotFound("framework.node_not_found")
	}
	n, err := s.Framework.Node(r.Context(), actorOf(r), nid)
	if err != nil {
		return 0, framework.Node{}, err
	}
	if n.VersionID != vid {
		return 0, framework.Node{}, apperr.NotFound("framework.node_not_found")
	}
	return vid, n, nil
}
