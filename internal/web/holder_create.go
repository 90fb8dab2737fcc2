package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/holder"
)

// holderCreate appoints a holder: the user by account name, what they
// hold as region codes and site ids (separated by spaces or commas) and
// at most one drawn line (GeoJSON).
func (s *Server) holderCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	show := func(status int, msg string) error { return s.holderListPage(w, r, status, msg) }
	split := func(v string) []string {
		return strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '\n' || c == '\r' })
	}
	in := holder.Input{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), TermFrom: r.PostFormValue("term_from"),
		TermTo: r.PostFormValue("term_to"), Regions: split(r.PostFormValue("regions"))}
	if u := strings.TrimSpace(r.PostFormValue("user")); u != "" {
		c, err := s.Org.FindCredentials(r.Context(), u)
		if err != nil {
			return s.refused(apperr.Invalid("holder.user_unknown"), show)
		}
		in.UserID = c.UserID
	}
	for _, v := range split(r.PostFormValue("sites")) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.refused(apperr.Invalid("holder.site_unknown"), show)
		}
		in.Sites = append(in.Sites, id)
	}
	if line := strings.TrimSpace(r.PostFormValue("line")); line != "" {
		buf, _ := formFloat(r, "buffer")
		in.Lines = append(in.Lines, holder.LineInput{Name: r.PostFormValue("line_name"), GeoJSON: line, BufferM: buf})
	}
	id, err := s.Holders.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, show)
	}
	return s.redirectWith(w, r, "/holders/"+strconv.FormatInt(id, 10), "holder.created")
}
