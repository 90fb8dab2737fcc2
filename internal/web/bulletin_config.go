package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/org"
)

type bulletinConfigData struct {
	Region         string
	Config         bulletin.Config
	In             bulletin.ConfigInput
	Formula        string
	DefaultFormula string
	Weekdays       []int
	CanEdit        bool
	Schedules      []bulletin.Schedule
	Error          string
	SchedError     string
	Excluded       []org.Unit
}

func (s *Server) configRegion(r *http.Request) string {
	a := actorOf(r)
	if a.IsAdmin() {
		if q := strings.TrimSpace(r.URL.Query().Get("region")); q != "" {
			return q
		}
		if q := strings.TrimSpace(r.PostFormValue("region")); q != "" {
			return q
		}
	}
	return a.Region
}

func (s *Server) bulletinConfigData(r *http.Request, region string) (bulletinConfigData, error) {
	ctx, a := r.Context(), actorOf(r)
	c, err := s.Bulletins.ConfigFor(ctx, a, region) // the store decides who reads it
	if err != nil {
		return bulletinConfigData{}, err
	}
	d := bulletinConfigData{Region: region, Config: c, Formula: c.Formula(s.bt()), DefaultFormula: bulletin.DefaultConfig().Formula(s.bt()),
		CanEdit: mayIssueBulletins(a), Weekdays: []int{1, 2, 3, 4, 5, 6, 7}}
	codes := map[int64]string{}
	for _, id := range c.Excluded {
		if u, err := s.Org.GetUnit(ctx, a, id); err == nil {
			codes[id] = u.Code
			d.Excluded = append(d.Excluded, u)
		}
	}
	d.In = c.Input(codes)
	if d.Schedules, err = s.Bulletins.Schedules(ctx, a); err != nil {
		return d, err
	}
	return d, nil
}

func (s *Server) bulletinConfig(w http.ResponseWriter, r *http.Request) error {
	d, err := s.bulletinConfigData(r, s.configRegion(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bulletin_config", "bulletin.config_title", d)
	return nil
}

// configForm is the assessment configuration as posted, every figure as
// typed: the store checks and converts them.
type configForm struct {
	bulletin.ConfigInput
}

func parseConfigForm(r *http.Request) (configForm, error) {
	if err := r.ParseForm(); err != nil {
		return configForm{}, err
	}
	f := r.PostFormValue
	return configForm{bulletin.ConfigInput{OnTime: f("on_time"), Closure: f("closure"), Rework: f("rework"), Return: f("return"), Extension: f("extension"),
		PerFailed: f("per_failed"), PerFalsified: f("per_falsified"), PerUnjustified: f("per_unjustified"),
		PerAdopted: f("per_adopted"), PerHighlight: f("per_highlight"), PerDossierOverdue: f("per_dossier_overdue"), DoubleFactor: f("double_factor"),
		MinSample: f("min_sample"), ListSize: f("list_size"), Excluded: f("excluded")}}, nil
}

func (s *Server) bulletinConfigSave(w http.ResponseWriter, r *http.Request) error {
	f, err := parseConfigForm(r)
	if err != nil {
		return err
	}
	region, in := s.configRegion(r), f.ConfigInput
	if _, err := s.Bulletins.SaveConfig(r.Context(), actorOf(r), region, in); err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.bulletinConfigData(r, region)
			if derr != nil {
				return derr
			}
			d.In, d.Error = in, msg
			s.render(w, r, status, "bulletin_config", "bulletin.config_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/bulletins/config", "bulletin.config_saved")
}
