package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// newRobots builds the group robots' and webhooks' store and sender. The
// endpoints and secrets are sealed with the data key; without one the
// pages say so and nothing is saved.
func newRobots(cfg config.Config, d *db.DB, t func(string, ...any) string, problems *problem.Store, log *slog.Logger) (*robot.Store, *robot.Sender, error) {
	s := &robot.Store{DB: d, Guard: robot.Guard{AllowPrivate: cfg.AllowPrivateWebhooks}, BaseURL: cfg.BaseURL, Now: time.Now, T: t}
	if cfg.DataKey == "" {
		log.Warn("data-key (WENMING_DATA_KEY) is not set: group robots and webhooks cannot be saved or sent until it is (their addresses and secrets are sealed with it)")
	} else {
		key, err := pii.ParseKey(cfg.DataKey)
		if err != nil {
			return nil, nil, fmt.Errorf("data-key: %w", err)
		}
		s.Key = key
	}
	s.Digest = ledgerDigest{problems: problems}.read
	return s, &robot.Sender{Store: s, Timeout: cfg.WebhookTimeout, Log: log}, nil
}

// robotEvents turns what the ledger, the bulletins and the work plan tell
// into robot and webhook events: Chinese markdown with a link, without the
// reporter or their phone, and an object for webhooks.
type robotEvents struct {
	robots *robot.Store
	cats   *category.Store
	t      func(string, ...any) string
}

// caseObject is a case as a webhook receives it.
type caseObject struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	State       string    `json:"state"`
	Category    string    `json:"category,omitempty"`
	Description string    `json:"description,omitempty"`
	Address     string    `json:"address,omitempty"`
	RegionCode  string    `json:"region_code"`
	UnitID      int64     `json:"unit_id,omitempty"`
	UnitName    string    `json:"unit_name,omitempty"`
	Deadline    time.Time `json:"deadline,omitzero"`
	Level       int       `json:"escalation_level,omitempty"`
	Note        string    `json:"note,omitempty"`
	URL         string    `json:"url"`
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Shanghai()).Format("2006-01-02 15:04")
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// caseEventType is the robots' event type of a happening of the ledger,
// "" for one robots are not told of.
func caseEventType(h problem.Happening) string {
	switch h.Kind {
	case problem.HappenedDispatched:
		return robot.CaseDispatched
	case problem.HappenedReturned:
		return robot.CaseReturned
	case problem.HappenedVerifyFailed:
		return robot.CaseVerifyFailed
	case problem.HappenedEscalated:
		if h.Level >= 2 {
			return robot.CaseOverdueRed
		}
		return robot.CaseOverdueYellow
	}
	return ""
}

// onCase is the ledger's listener (problem.Store.Listener).
func (e robotEvents) onCase(ctx context.Context, tx db.Conn, h problem.Happening) error {
	c := h.Case
	kind := caseEventType(h)
	if kind == "" {
		return nil
	}
	if wanted, err := e.robots.Subscribed(ctx, tx, kind); err != nil || !wanted {
		return err
	}
	unitName := ""
	if h.UnitID != 0 && h.UnitID == c.UnitID {
		unitName = c.UnitName // the case comes with its names
	}
	if h.UnitID != 0 && unitName == "" {
		n, err := org.UnitName(ctx, tx, h.UnitID)
		if err != nil {
			return err
		}
		unitName = n
	}
	catName := c.CategoryName
	if catName == "" && c.CategoryID != 0 && e.cats != nil {
		if sub, err := e.cats.Get(ctx, c.CategoryID); err == nil {
			catName = sub.Name
		}
	}
	path := "/problems/" + strconv.FormatInt(c.ID, 10)
	ev := robot.Event{Type: kind, UnitID: h.UnitID, RegionCode: c.RegionCode, URL: path, At: h.At}
	var title string
	lines := []string{}
	if catName != "" {
		lines = append(lines, e.t("robot.line.category", catName))
	}
	if c.Description != "" {
		lines = append(lines, e.t("robot.line.description", cut(strings.Join(strings.Fields(c.Description), " "), 100)))
	}
	if c.Address != "" {
		lines = append(lines, e.t("robot.line.address", cut(c.Address, 60)))
	}
	switch h.Kind {
	case problem.HappenedDispatched:
		title = e.t("robot.msg.dispatched", c.Code, unitName)
		lines = append(lines, e.t("robot.line.deadline", when(c.Deadline)))
		ev.Key = fmt.Sprintf("case:%d:dispatch:v%d", c.ID, c.Version)
	case problem.HappenedReturned:
		title = e.t("robot.msg.returned", c.Code, unitName)
		lines = append(lines, e.t("robot.line.note", cut(h.Note, 120)))
		ev.Key = fmt.Sprintf("case:%d:return:v%d", c.ID, c.Version)
	case problem.HappenedVerifyFailed:
		title = e.t("robot.msg.verify_failed", c.Code)
		lines = append(lines, e.t("robot.line.note", cut(h.Note, 120)), e.t("robot.line.rework", c.ReworkCount),
			e.t("robot.line.deadline", when(c.Deadline)))
		ev.Key = fmt.Sprintf("case:%d:rework:v%d", c.ID, c.Version)
	case problem.HappenedEscalated:
		title = e.t("robot.msg.overdue_yellow", c.Code)
		if h.Level >= 2 {
			title = e.t("robot.msg.overdue_red", c.Code)
		}
		if unitName != "" {
			lines = append(lines, e.t("robot.line.unit", unitName))
		}
		lines = append(lines, e.t("robot.line.deadline", when(c.Deadline)))
		ev.Key = fmt.Sprintf("case:%d:esc%d:v%d", c.ID, h.Level, c.Version)
	default:
		return nil
	}
	ev.Title, ev.Markdown = title, strings.Join(lines, "\n")
	ev.Object = caseObject{ID: c.ID, Code: c.Code, State: string(c.State), Category: catName,
		Description: robot.Mask(cut(c.Description, 500)), Address: c.Address, RegionCode: c.RegionCode, UnitID: h.UnitID,
		UnitName: unitName, Deadline: c.Deadline, Level: h.Level, Note: robot.Mask(cut(h.Note, 500)), URL: path}
	return e.robots.Publish(ctx, tx, ev)
}

// onBulletin tells of an issued bulletin: the issuing office's robots, the
// robots of the regions inside its scope, and the listed units' robots.
func (e robotEvents) onBulletin(ctx context.Context, tx db.Conn, b *bulletin.Bulletin) error {
	t := bulletin.T(e.t)
	region := b.Scope.Region
	if region == "" {
		region = b.IssuerRegion
	}
	path := "/bulletins/" + strconv.FormatInt(b.ID, 10)
	return e.robots.Publish(ctx, tx, robot.Event{Type: robot.BulletinIssued, RegionCode: region, Down: true, Units: b.Scope.Units,
		Title:    e.t("robot.msg.bulletin", b.TitleText(t)),
		Markdown: e.t("robot.line.bulletin_no", b.NumberText(t)),
		URL:      path, Key: fmt.Sprintf("bulletin:%d", b.ID), At: b.IssuedAt,
		Object: map[string]any{"id": b.ID, "number": b.NumberText(t), "title": b.TitleText(t), "issuer": b.IssuerName,
			"region_code": region, "issued_at": b.IssuedAt, "url": path}})
}

// onTask tells of a work-plan task raised to yellow or red.
func (e robotEvents) onTask(ctx context.Context, tx db.Conn, task *workplan.Task, level int) error {
	path := "/workplans/tasks/" + strconv.FormatInt(task.ID, 10)
	lines := []string{e.t("robot.line.task_due", task.DueOn), e.t("robot.line.task_level", e.t("robot.level."+strconv.Itoa(min(level, 2))))}
	if task.LeadUnitName != "" {
		lines = append(lines, e.t("robot.line.unit", task.LeadUnitName))
	}
	return e.robots.Publish(ctx, tx, robot.Event{Type: robot.TaskOverdue, UnitID: task.LeadUnitID, RegionCode: task.RegionCode,
		Title: e.t("robot.msg.task_overdue", task.Title), Markdown: strings.Join(lines, "\n"), URL: path,
		Key: fmt.Sprintf("task:%d:esc%d:%s", task.ID, level, task.DueOn),
		Object: map[string]any{"id": task.ID, "title": task.Title, "due_on": task.DueOn, "lead_unit_id": task.LeadUnitID,
			"escalation_level": level, "url": path}})
}

// onDossierOverdue tells of a dossier item its unit has not submitted by
// its due date, once per item and due date (the reminders repeat daily).
func (e robotEvents) onDossierOverdue(ctx context.Context, tx db.Conn, item dossier.OverdueItem) error {
	_, region, _, err := org.UnitKindRegion(ctx, tx, item.UnitID)
	if err != nil {
		return err
	}
	path := "/dossiers/items/" + strconv.FormatInt(item.ID, 10)
	lines := []string{e.t("robot.line.dossier_period", item.Period), e.t("robot.line.task_due", item.DueOn)}
	return e.robots.Publish(ctx, tx, robot.Event{Type: robot.DossierItemOverdue, UnitID: item.UnitID, RegionCode: region,
		Title: e.t("robot.msg.dossier_overdue", item.Title), Markdown: strings.Join(lines, "\n"), URL: path,
		Key: fmt.Sprintf("dossier:%d:overdue:%s", item.ID, item.DueOn),
		Object: map[string]any{"id": item.ID, "title": item.Title, "period": item.Period, "due_on": item.DueOn,
			"unit_id": item.UnitID, "url": path}})
}

// ledgerDigest reads a robot's daily digest from the ledger.
type ledgerDigest struct{ problems *problem.Store }

func (l ledgerDigest) read(ctx context.Context, unitID int64, region string, now time.Time) (robot.DigestData, error) {
	sys := access.System()
	open := []problem.State{problem.Dispatched, problem.InProgress}
	f := problem.Filter{States: open, UnitID: unitID}
	q := url.Values{}
	if unitID != 0 {
		q.Set("unit", strconv.FormatInt(unitID, 10))
	} else {
		f.Region = region
		q.Set("region", region)
	}
	var d robot.DigestData
	d.ListURL = "/problems?" + q.Encode()
	var err error
	if d.Open, err = l.problems.Count(ctx, sys, f); err != nil {
		return d, err
	}
	over := f
	over.Overdue, over.Sort, over.Limit = true, "deadline", 8
	list, n, err := l.problems.List(ctx, sys, over)
	if err != nil {
		return d, err
	}
	d.Overdue = n
	for _, c := range list {
		d.OverdueCases = append(d.OverdueCases, robot.DigestCase{Code: c.Code, Category: c.CategoryName, Deadline: c.Deadline,
			URL: "/problems/" + strconv.FormatInt(c.ID, 10)})
	}
	local := now.In(calendar.Shanghai())
	endOfDay := time.Date(local.Year(), local.Month(), local.Day(), 23, 59, 59, 0, calendar.Shanghai())
	soon := f
	soon.Sort, soon.Limit = "deadline", 200
	list, _, err = l.problems.List(ctx, sys, soon)
	if err != nil {
		return d, err
	}
	for _, c := range list {
		if c.Deadline.IsZero() || c.Deadline.Before(now) || c.Deadline.After(endOfDay) {
			continue
		}
		d.DueToday++
		if len(d.DueCases) < 8 {
			d.DueCases = append(d.DueCases, robot.DigestCase{Code: c.Code, Category: c.CategoryName, Deadline: c.Deadline,
				URL: "/problems/" + strconv.FormatInt(c.ID, 10)})
		}
	}
	return d, nil
}

// sendRobots queues the daily digests that are due and sends the robots'
// and webhooks' outbox (every RobotEvery). Every server runs it; digests
// and deliveries are claimed in the database, so each goes out once.
func (a *App) sendRobots(ctx context.Context) {
	if n, err := a.Robots.QueueDigests(ctx); err != nil {
		a.Log.Warn("robot digests", "err", err)
	} else if n > 0 {
		a.Log.Info("robot digests queued", "count", n)
	}
	rep, err := a.RobotSender.Send(ctx)
	if err != nil {
		a.Log.Warn("robot outbox", "err", err)
	}
	if rep.Sent+rep.Retrying+rep.GivenUp+rep.Waiting > 0 {
		a.Log.Info("robot outbox", "sent", rep.Sent, "folded", rep.Folded, "retrying", rep.Retrying, "given_up", rep.GivenUp, "waiting", rep.Waiting)
	}
}
