package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/selection"
)

// selectionKindCreate adds a kind of selection: the score sheet is one
// item a line, "名称 分值" (for stars, the star's name alone).
func (s *Server) selectionKindCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := selection.KindInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), CandidateType: r.PostFormValue("candidate_type"),
		Period: r.PostFormValue("period"), Sheet: r.PostFormValue("sheet"), Quota: formInt(r, "quota"), Levels: r.PostForm["levels"]}
	for _, line := range strings.Split(r.PostFormValue("criteria"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		c := selection.Criterion{Name: f[0], Points: 1}
		if len(f) > 1 {
			n, err := strconv.Atoi(f[len(f)-1])
			if err != nil {
				n = -1
			}
			c = selection.Criterion{Name: strings.Join(f[:len(f)-1], " "), Points: n}
		}
		in.Criteria = append(in.Criteria, c)
	}
	if _, err := s.Selections.CreateKind(r.Context(), actorOf(r), in); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionKindsPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/selections/kinds", "selection.kind_created")
}
