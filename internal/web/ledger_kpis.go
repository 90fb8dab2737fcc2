package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
)

type kpiData struct {
	KPI        problem.KPI
	PeriodFrom time.Time
	PeriodTo   time.Time
	// Satisfaction counts the citizens' answers per unit (满意度回访), for
	// the office and the leaders.
	Satisfaction []problem.UnitSatisfaction
}

// ledgerKPIs is the partial the ledger loads after its list: the rates over
// the filter's period, by filing time (this month by default). Over a whole
// city they take longer than the list, so they do not hold it up.
func (s *Server) ledgerKPIs(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f := ledgerFilter(r.URL.Query(), s.loc)
	now := s.Problems.Now()
	d := kpiData{PeriodFrom: f.From, PeriodTo: f.To}
	if d.PeriodFrom.IsZero() {
		local := now.In(s.loc)
		d.PeriodFrom = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.loc)
	}
	if d.PeriodTo.IsZero() {
		d.PeriodTo = now
	}
	var err error
	if d.KPI, err = s.Problems.KPIs(r.Context(), a, f, d.PeriodFrom, d.PeriodTo, s.Hours); err != nil {
		return err
	}
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		if d.Satisfaction, err = s.Problems.SatisfactionByUnit(r.Context(), a, d.PeriodFrom, d.PeriodTo); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "ledger_kpis", "ledger.title", d)
	return nil
}
