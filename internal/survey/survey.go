// Package survey is the household survey (入户调查): questionnaires as
// versioned data, the households of each community, survey rounds with a
// reproducible sample and reserves, visits and interviews done on the
// phone, the street supervisor's review, and 三率一度 (知晓率、支持率、
// 参与率、满意度) with 入户率、完成率、拒访率, computed as DESIGN.md
// ("Survey metrics") defines them from approved interviews only.
//
// The package owns every survey_* table. Permission is decided here, from
// the actor: the office manages the survey in its jurisdiction, a
// community's handlers keep its household list, interviewers see only the
// households dealt to them (address and a masked name), a street's
// supervisor reviews its interviews, and answers leave the office only
// in aggregate.
package survey

import (
	"context"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Store reads and writes the survey.
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// Problems files the complaints respondents agree to report.
	Problems *problem.Store
	// Categories resolves a problem category code to its id.
	Categories func(ctx context.Context, code string) (int64, error)

	// answered keeps the questionnaire versions that have answers: they
	// never change again (only copies do), on any server, so every
	// interview of a round need not read its questionnaire.
	answeredMu sync.Mutex
	answeredQ  map[int64]Questionnaire
}

// mayManage: administrators anywhere, the office inside its jurisdiction.
func mayManage(a access.Actor, region string) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && a.Manages(region))
}

// MayManage reports whether the actor may make questionnaires and rounds
// at all, for the pages that offer it.
func MayManage(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// mayOversee: the office and leaders of the area read everything of it in
// aggregate (the office also the answers).
func mayOversee(a access.Actor, region string) bool {
	return a.IsAdmin() || (a.HasAny(access.RoleOffice, access.RoleLeader) && a.Oversees(region))
}

// MayUse reports whether the survey pages have something for the actor.
func MayUse(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector, access.RoleVolunteer)
}

// interviewerRoles: interviewers (访员) are users holding one of these.
func interviewerRoles() []string {
	return []string{string(access.RoleInspector), string(access.RoleVolunteer), string(access.RoleHandler)}
}

// supervisorRoles: supervisors (复核员) hold one of these.
func supervisorRoles() []string {
	return []string{string(access.RoleInspector), string(access.RoleHandler), string(access.RoleOffice)}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func creator(a access.Actor) any {
	if a.UserID > 0 {
		return a.UserID
	}
	return nil
}

// streetOf is the street a community code lies in (9 digits).
func streetOf(community string) string {
	if len(community) < 9 {
		return community
	}
	return community[:9]
}
