// Package server assembles the pieces into one HTTP server: pages, the JSON
// API, health and readiness checks and Prometheus metrics, with logging,
// recovery and security headers around them, and a graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/api"
	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/lease"
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
	"github.com/wenming-civic/wenming/internal/web"
	"github.com/wenming-civic/wenming/internal/workbench"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// App is a configured server over one database.
type App struct {
	Config     config.Config
	DB         *db.DB
	Log        *slog.Logger
	Org        *org.Store
	Auth       *auth.Service
	Regions    *region.Store
	Calendar   *calendar.Store
	Categories *category.Store
	Problems   *problem.Store
	Notices    *notice.Store
	Routing    *routing.Store
	Media      *media.Service
	Framework  *framework.Store
	Sites      *site.Store
	Inspect    *inspect.Store
	Bulletins  *bulletin.Store
	Workplans  *workplan.Store
	Surveys    *survey.Store
	Volunteers *volunteer.Store
	// Projection projects the evaluation score (测评预估).
	Projection *projection.Store
	// Dossiers runs the evidence dossiers (材料审核); Files is the file
	// facility they store evidence through.
	Dossiers *dossier.Store
	Files    *media.Files
	// Selections runs the selections (评选); Holders the responsibility
	// holders (责任制).
	Selections *selection.Store
	Holders    *holder.Store
	Merchants  *merchant.Store
	// Outbox sends the SMS outbox; nil when no gateway is configured and
	// the messages wait.
	Outbox *outbox.Sender
	// Leases share the periodic jobs among the servers on one database
	// (see internal/lease): a new job runs through a.leased.
	Leases *lease.Leases
	// Robots keeps the group robots and webhooks; RobotSender sends their
	// outbox (every server; claimed once).
	Robots      *robot.Store
	RobotSender *robot.Sender
	Locator     *locator
	Clock       *workingTime
	Handler     http.Handler
}

// New builds the application: stores, services and the HTTP handler.
func New(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger) (*App, error) {
	catalog, err := i18n.Load("zh-CN")
	if err != nil {
		return nil, err
	}
	orgStore := org.New(d)
	authSvc, err := auth.NewService(d, orgStore, log, auth.Options{
		SessionTTL: cfg.SessionTTL, SessionMaxAge: cfg.SessionMaxAge, Lockout: cfg.LoginLockout,
		MaxFailures: cfg.LoginMaxFailure, AddrMaxFailures: cfg.AddrMaxFailure,
	})
	if err != nil {
		return nil, err
	}
	secret, err := auth.Secret(ctx, d)
	if err != nil {
		return nil, err
	}
	regions := &region.Store{DB: d}
	cal := calendar.New(d)
	if _, err := cal.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	cats := category.New(d)
	if _, err := cats.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	fw := &framework.Store{DB: d}
	if _, err := fw.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	clock := &workingTime{store: cal, ttl: time.Minute}
	loc := &locator{cache: &geo.Cache{DB: d, Poll: cfg.BoundaryPoll}}
	regions.Changed = loc.Invalidate
	catAdapter := categories{store: cats}
	router := &routing.Store{DB: d, Owners: catAdapter, Now: time.Now}
	problems := &problem.Store{DB: d, Log: log, Now: time.Now, Categories: catAdapter, Clock: clock, Router: router, Locator: loc}
	if built, err := problems.EnsureTally(ctx); err != nil {
		return nil, err
	} else if built {
		log.Info("built the ledger tally from the stored cases")
	}
	if built, err := problems.EnsureSearch(ctx); err != nil {
		return nil, err
	} else if built {
		log.Info("built the ledger's text search index from the stored cases")
	}
	lim := media.DefaultLimits()
	lim.MaxBytes = int64(cfg.PhotoMaxBytes)
	blobs, err := newBlobStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	photos := &media.Service{Blobs: blobs, DB: d, Limits: lim}
	sites := &site.Store{DB: d, Locator: loc, BaseURL: cfg.BaseURL, Scores: inspect.LatestScores}
	inspections := &inspect.Store{DB: d, Framework: fw, Sites: sites, Problems: problems, Now: time.Now,
		Categories: func(ctx context.Context, code string) (int64, error) {
			sub, err := cats.ByCode(ctx, code)
			return sub.ID, err
		}}
	notices := &notice.Store{DB: d, Now: time.Now}
	volunteers, err := newVolunteers(cfg, d, regions, log)
	if err != nil {
		return nil, err
	}
	selections, holders, err := newSelections(ctx, d, volunteers, problems, inspections, log)
	if err != nil {
		return nil, err
	}
	bulletins := &bulletin.Store{DB: d, Problems: problems, Now: time.Now, Hours: clock, Log: log, T: catalog.T, Volunteers: volunteers}
	workplans := &workplan.Store{DB: d, Calendar: clock.calendar, Framework: fw, Problems: problems, Sites: sites,
		SiteHistory: inspections.SiteHistory, Inspections: inspections, Hours: clock, T: catalog.T, Now: time.Now}
	// A plan may name the special campaign it serves.
	inspections.CampaignArea = func(ctx context.Context, a access.Actor, id int64) (string, error) {
		c, err := workplans.Campaign(ctx, a, id)
		if err != nil {
			return "", err
		}
		return c.RegionCode, nil
	}
	surveys := &survey.Store{DB: d, Now: time.Now, Problems: problems, Categories: inspections.Categories}
	if _, err := surveys.EnsureSample(ctx); err != nil {
		return nil, err
	}
	// Merchants and 门前三包: cases are linked to frontages by a job
	// (linkMerchants), so the ledger knows nothing of merchants.
	merchants := &merchant.Store{DB: d, Problems: problems, Sites: sites, Locator: loc, Now: time.Now}
	// Merchants are candidates of the selections, their flags are on the
	// holders' report cards, and their 诚信 titles on their pages.
	selections.Merchants = merchantDirectory{merchants}
	holders.Flags = merchantFlags{merchants}
	merchants.Titles = merchantTitles{selections}
	// The bulletin's work-report line counts the units' adopted reports.
	bulletins.WorkReports = func(ctx context.Context, from, to time.Time) (map[int64]bulletin.WorkReportCount, error) {
		counts, err := workplans.AdoptedByUnit(ctx, from, to)
		out := make(map[int64]bulletin.WorkReportCount, len(counts))
		for id, n := range counts {
			out[id] = bulletin.WorkReportCount{Adopted: n[0], Highlights: n[1]}
		}
		return out, err
	}
	// The projected score (测评预估); its dossier criteria are read from
	// the dossier rounds below.
	projections := &projection.Store{DB: d, Framework: fw}
	// Group robots and webhooks hear of the ledger's dispatches, returns,
	// failed verifications and escalations, of issued bulletins and of
	// overdue tasks, in the transactions that make them.
	robots, robotSender, err := newRobots(cfg, d, catalog.T, problems, log)
	if err != nil {
		return nil, err
	}
	events := robotEvents{robots: robots, cats: cats, t: catalog.T}
	problems.Listener = events.onCase
	bulletins.Issued = events.onBulletin
	workplans.Overdue = events.onTask
	// The evidence dossiers (材料审核): files in the photos' blob store.
	files := &media.Files{Blobs: photos.Blobs, DB: d, Limits: media.FileLimits{MaxBytes: int64(cfg.FileMaxMB) << 20}}
	dossiers := &dossier.Store{DB: d, Framework: fw, Files: files, Calendar: clock.calendar, RemindDays: cfg.DossierRemindDays,
		T: catalog.T, Log: log, Now: time.Now}
	// The bulletin's dossier line counts the units' overdue dossier items;
	// the robots hear of them; the projected score reads their completeness.
	bulletins.DossierOverdue = dossiers.OverdueByUnit
	dossiers.Overdue = events.onDossierOverdue
	projections.Dossier = dossierSource{dossiers}
	pages, err := web.New(web.Deps{
		Auth: authSvc, Org: orgStore, Regions: regions, Catalog: catalog, Log: log,
		Problems: problems, Notices: notices, Categories: cats, Calendar: cal, Routing: router, Media: photos,
		Framework: fw, Sites: sites, Inspections: inspections, Bulletins: bulletins, Surveys: surveys, Hours: clock, CategoryGroups: catAdapter.groups,
		Outbox: &outbox.Book{DB: d}, SMSGateway: cfg.SMSURL != "",
		// The workbench's sources: a new capability with work to show adds its own here.
		Workbench: workbench.New(problem.Workbench{Store: problems, Hours: clock}, inspect.Workbench{Store: inspections},
			bulletin.Workbench{Store: bulletins}, workplan.Workbench{Store: workplans}, survey.Workbench{Store: surveys},
			volunteer.Workbench{Store: volunteers}, dossier.Workbench{Store: dossiers}, selection.Workbench{Store: selections}, merchant.Workbench{Store: merchants}),
		Dossiers:   dossiers,
		Files:      files,
		Workplans:  workplans,
		Volunteers: volunteers,
		Projection: projections,
		Robots:     robots,
		Selections: selections,
		Holders:    holders,
		Merchants:  merchants,
		Duplicates: problem.DuplicateRule{Meters: float64(cfg.DuplicateMeters), Days: 7},
		Map:        web.MapConfig{TileURL: cfg.MapTiles, TileCRS: cfg.MapTilesCRS, Attribution: cfg.MapAttribution},
		Secret:     secret, SecureCookies: cfg.SecureCookies(), TrustProxy: cfg.TrustProxy,
		PublicLimit: publicLimit{allow: authSvc.Allow, limit: cfg.PublicPerHour, window: time.Hour},
		// A status page loads its after-photos too: a few dozen an hour.
		TrackLimit: publicLimit{allow: authSvc.Allow, limit: trackPerHour, window: time.Hour, prefix: "track|"},
		// A person choosing a place looks up a few lists a minute.
		PlaceLimit: publicLimit{allow: authSvc.Allow, limit: 120, window: time.Minute},
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	pages.Register(mux)
	(&api.API{Auth: authSvc, Org: orgStore, Regions: regions, Problems: problems, Categories: cats, Media: photos, Inspect: inspections, Surveys: surveys, Volunteers: volunteers, Catalog: catalog, Log: log,
		TrustProxy: cfg.TrustProxy}).Register(mux)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.Ping(ctx); err != nil {
			log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unreachable")
			return
		}
		// Photos and files: the object store must answer too.
		if err := photos.Ping(ctx); err != nil {
			log.Warn("not ready", "storage", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "storage unreachable")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	var sms *outbox.Sender
	if cfg.SMSURL != "" {
		sms = &outbox.Sender{DB: d, URL: cfg.SMSURL, Token: cfg.SMSToken, Client: &http.Client{Timeout: 20 * time.Second},
			Now: time.Now, T: catalog.T}
	}
	return &App{
		Config: cfg, DB: d, Log: log, Org: orgStore, Auth: authSvc, Regions: regions,
		Calendar: cal, Categories: cats, Problems: problems, Notices: notices, Routing: router, Media: photos, Locator: loc, Clock: clock,
		Framework: fw, Sites: sites, Inspect: inspections, Bulletins: bulletins, Workplans: workplans, Surveys: surveys, Volunteers: volunteers, Outbox: sms, Projection: projections,
		Leases: lease.New(d), Robots: robots, RobotSender: robotSender,
		Dossiers: dossiers, Files: files,
		Selections: selections, Holders: holders,
		Merchants: merchants,
		Handler:   recoverer(log, catalog.T("error.internal"), securityHeaders(contentPolicy(cfg.MapTiles), oneGeneration(m.instrument(logRequests(log, mux))))),
	}, nil
}

// Serve listens on the configured address until ctx ends, then drains
// in-flight requests for up to the shutdown timeout.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	// The periodic jobs: one server per period runs each leased job; the
	// outbox claims message by message, so every server sends.
	go every(ctx, 10*time.Minute, a.leased("purge_sessions", 10*time.Minute, a.purgeSessions))
	go every(ctx, a.Config.EscalateEvery, a.leased("escalate", a.Config.EscalateEvery, a.escalate))
	go every(ctx, time.Minute, a.leased("scheduled_bulletins", time.Minute, a.issueBulletins))
	go every(ctx, time.Minute, a.leased("link_merchants", time.Minute, a.linkMerchants))
	if a.Outbox != nil {
		go every(ctx, a.Config.SMSEvery, a.sendOutbox)
	}
	if a.RobotSender != nil {
		go every(ctx, a.Config.RobotEvery, a.sendRobots)
	}
	go a.RunWriteBehind(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "database", a.DB.Dialect().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	a.Log.Info("stopped")
	return nil
}

// writeBehindEvery is how often the work a request leaves behind is done:
// often enough that the deltas waiting stay a few thousand rows at the
// busiest, for the reads that sum them.
const writeBehindEvery = 500 * time.Millisecond

// foldAnywayEvery is how often a server folds the tally's deltas that
// other processes recorded.
const foldAnywayEvery = 30 * time.Second

// RunWriteBehind does, until ctx ends, what the requests leave to be done
// after their answer: it folds the tally's deltas into the tally and
// writes the search index's rows of the cases queued for it. Every server
// runs it (a fold, a batch of the queue, is one transaction); Serve
// starts it, and a benchmark of the write path runs it beside its
// requests.
func (a *App) RunWriteBehind(ctx context.Context) {
	var lastFold time.Time
	every(ctx, writeBehindEvery, func(ctx context.Context) {
		// This server's own deltas at once; other processes' (an import
		// from the command line) within a while.
		if a.Problems.TallyBehind() || time.Since(lastFold) > foldAnywayEvery {
			lastFold = time.Now()
			if _, err := a.Problems.FoldTally(ctx); err != nil && ctx.Err() == nil {
				a.Log.Warn("fold the tally", "err", err)
			}
		}
		if _, err := a.Problems.IndexPending(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("search index", "err", err)
		}
	})
}

// every runs job every d until ctx ends.
func every(ctx context.Context, d time.Duration, job func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			job(ctx)
		}
	}
}

// leased wraps a periodic job so that, of the servers on one database,
// the one holding the job's lease for the period runs it (internal/lease).
func (a *App) leased(name string, period time.Duration, job func(context.Context)) func(context.Context) {
	if a.Leases == nil {
		return job
	}
	return func(ctx context.Context) {
		if ran, err := a.Leases.Run(ctx, name, period, job); err != nil {
			a.Log.Warn("job lease", "job", name, "err", err)
		} else if ran {
			a.Log.Debug("job ran", "job", name, "holder", a.Leases.Holder)
		}
	}
}

// purgeSessions removes expired sessions (every ten minutes).
func (a *App) purgeSessions(ctx context.Context) {
	if n, err := a.Auth.PurgeExpired(ctx); err != nil {
		a.Log.Warn("purge sessions", "err", err)
	} else if n > 0 {
		a.Log.Info("purged expired sessions", "count", n)
	}
}

// escalate runs the escalation job (督办, every EscalateEvery). Each
// server runs it; the job's conditional writes keep notices single.
func (a *App) escalate(ctx context.Context) {
	rep, err := a.Problems.Escalate(ctx)
	if err != nil {
		a.Log.Warn("escalation", "err", err)
	} else if rep.Yellow+rep.Red+rep.Notified > 0 {
		a.Log.Info("escalation", "yellow", rep.Yellow, "red", rep.Red, "notified", rep.Notified)
	}
	if a.Workplans == nil {
		return
	}
	// The work plan's overdue tasks escalate on the same beat.
	if wr, err := a.Workplans.Escalate(ctx); err != nil {
		a.Log.Warn("task escalation", "err", err)
	} else if wr.Yellow+wr.Red+wr.Notified > 0 {
		a.Log.Info("task escalation", "yellow", wr.Yellow, "red", wr.Red, "notified", wr.Notified)
	}
	if a.Dossiers == nil {
		return
	}
	// The dossier items due soon or overdue are reminded on the same beat.
	if dr, err := a.Dossiers.Remind(ctx); err != nil {
		a.Log.Warn("dossier reminders", "err", err)
	} else if dr.Before+dr.Late > 0 {
		a.Log.Info("dossier reminders", "before", dr.Before, "late", dr.Late)
	}
}

// issueBulletins issues the scheduled bulletins (once a minute). Every
// server runs it; a schedule's run is claimed in the database, so it
// issues once.
func (a *App) issueBulletins(ctx context.Context) {
	if n, err := a.Bulletins.RunDue(ctx, time.Now()); err != nil {
		a.Log.Warn("scheduled bulletins", "err", err)
	} else if n > 0 {
		a.Log.Info("scheduled bulletins issued", "count", n)
	}
}

// linkMerchants links the cases filed since the last run to the merchants'
// frontages (once a minute). Every server may run it: links are idempotent.
func (a *App) linkMerchants(ctx context.Context) {
	if a.Merchants == nil {
		return
	}
	if rep, err := a.Merchants.LinkNew(ctx); err != nil {
		a.Log.Warn("merchant links", "err", err)
	} else if rep.Linked > 0 {
		a.Log.Info("merchant links", "cases", rep.Cases, "linked", rep.Linked)
	}
}

// sendOutbox sends the SMS outbox (every SMSEvery). Every server runs it;
// a message is claimed before it is sent, so it goes out once.
func (a *App) sendOutbox(ctx context.Context) {
	rep, err := a.Outbox.Send(ctx)
	if err != nil {
		a.Log.Warn("sms outbox", "err", err)
	} else if rep.Sent+rep.Retrying+rep.GivenUp > 0 {
		a.Log.Info("sms outbox", "sent", rep.Sent, "retrying", rep.Retrying, "given_up", rep.GivenUp)
	}
}
