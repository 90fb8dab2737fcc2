package web

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/dashboard"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/projection"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
	"github.com/wenming-civic/wenming/internal/workbench"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// Deps are what the pages need.
type Deps struct {
	Auth       *auth.Service
	Org        *org.Store
	Regions    *region.Store
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Problems   *problem.Store
	Notices    *notice.Store
	Categories *category.Store
	Framework  *framework.Store
	Sites      *site.Store
	// Inspections runs plans, checklists and scores.
	Inspections *inspect.Store
	Bulletins   *bulletin.Store
	// Surveys runs the household survey (入户调查).
	Surveys    *survey.Store
	Calendar   *calendar.Store
	Routing    *routing.Store
	Media      *media.Service
	Hours      problem.HoursCounter
	Duplicates problem.DuplicateRule
	// CategoryGroups lists the active categories for select boxes.
	CategoryGroups func(ctx context.Context) ([]CategoryGroup, error)
	Map            MapConfig
	Secret         []byte // signs CSRF tokens
	SecureCookies  bool
	TrustProxy     bool
	// PublicLimit throttles the public report form per client address.
	PublicLimit RateLimiter
	// TrackLimit throttles the citizens' status pages per client address.
	TrackLimit RateLimiter
	// PlaceLimit throttles the public form's place look-ups (regions,
	// sites, search) per client address, apart from the reports' budget.
	PlaceLimit RateLimiter
	// Outbox shows the administrator the SMS messages and their delivery;
	// SMSGateway says whether a gateway sends them.
	Outbox     *outbox.Book
	SMSGateway bool
	// Volunteers runs volunteering (志愿服务): stations, teams,
	// volunteers, activities, check-ins, hours, stars and certificates.
	Volunteers *volunteer.Store
	// Workbench is the home page's board; its sources are registered
	// where the server is wired.
	Workbench *workbench.Board
	// Workplans runs the work plan, its tasks and reports, and the
	// special campaigns; nil leaves their pages out.
	Workplans *workplan.Store
	// Projection projects the evaluation score (测评预估); nil leaves
	// its pages out.
	Projection *projection.Store
	// Robots keeps the group robots (群机器人) offices configure and the
	// webhooks administrators register; nil leaves their pages out.
	Robots *robot.Store
	// Dossiers runs the evidence dossiers (材料审核), whose files are kept
	// by Files; nil leaves their pages out.
	Dossiers *dossier.Store
	Files    *media.Files
	// Selections runs the selections (评选) and Holders the
	// responsibility holders (责任制); nil leaves their pages out.
	Selections *selection.Store
	Holders    *holder.Store
	// Merchants keeps the merchants, their 门前三包 frontages, linked cases
	// and monthly flags (流动红旗); nil leaves their pages out.
	Merchants *merchant.Store
}

// MapConfig says which basemap tiles pages draw under their markers.
type MapConfig struct {
	TileURL     string // e.g. https://{s}.tile.example/{z}/{x}/{y}.png; empty: no tiles
	TileCRS     string // wgs84 or gcj02 (AMap, Tencent)
	Attribution string
}

// RateLimiter allows or refuses one more request for a key.
type RateLimiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Server holds the parsed templates and assets.
type Server struct {
	Deps
	pages  *pages
	assets *assets
	loc    *time.Location
	// ingestSlots bounds how many uploads are decoded at once.
	ingestSlots chan struct{}
	dashboard   *dashboard.Store
	areas       *areaCache
}

// New parses the templates and indexes the static files.
func New(d Deps) (*Server, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, assets: a, loc: calendar.Shanghai(), ingestSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		areas: &areaCache{}}
	s.dashboard = &dashboard.Store{Problems: d.Problems, Inspections: d.Inspections, Hours: d.Hours, Loc: s.loc}
	if s.pages, err = parsePages(s.funcs()); err != nil {
		return nil, err
	}
	return s, nil
}

// handlerFunc is a page handler that returns its error to one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error
