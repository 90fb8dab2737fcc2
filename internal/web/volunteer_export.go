package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerExport writes the register the actor may see as XLSX, masked.
func (s *Server) volunteerExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	team, _ := strconv.ParseInt(q.Get("team"), 10, 64)
	places := s.volunteerPlaces(r)
	var buf bytes.Buffer
	if err := s.Volunteers.Export(r.Context(), actorOf(r), volunteer.Filter{Query: q.Get("q"), State: q.Get("state"), TeamID: team}, &buf,
		places.Name); err != nil {
		return err
	}
	return s.download(w, &buf, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "volunteers.xlsx", "志愿者名册.xlsx")
}
