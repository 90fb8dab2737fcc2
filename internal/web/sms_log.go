package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/outbox"
)

type smsData struct {
	Rows    []smsRow
	Counts  outbox.Counts
	Gateway bool
}

type smsRow struct {
	outbox.Entry
	Text string // the message's text as the gateway gets it
}

// smsLog shows the administrator the latest SMS messages and how their
// delivery went.
func (s *Server) smsLog(w http.ResponseWriter, r *http.Request) error {
	entries, counts, err := s.Outbox.Recent(r.Context(), actorOf(r), 200)
	if err != nil {
		return err
	}
	d := smsData{Counts: counts, Gateway: s.SMSGateway}
	for _, e := range entries {
		args := make([]any, len(e.Args))
		for i, x := range e.Args {
			args[i] = x
		}
		d.Rows = append(d.Rows, smsRow{Entry: e, Text: s.Catalog.T("problem.notice."+e.Kind, args...)})
	}
	s.render(w, r, http.StatusOK, "sms", "sms.title", d)
	return nil
}
