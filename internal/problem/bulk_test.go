package problem_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestBulkWrite writes two cases and their timelines in bulk, as the
// synthetic city does, and reads them back through the store; a case
// reported afterwards continues the day's numbering and the ids.
func TestBulkWrite(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	cred, err := app.Org.FindCredentials(ctx, "office")
	if err != nil {
		t.Fatal(err)
	}
	office, _, err := app.Org.Actor(ctx, cred.UserID)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := app.Categories.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	unit, err := org.UnitIDByCode(ctx, app.DB, "410411001001")
	if err != nil || unit == 0 {
		t.Fatalf("unit %d %v", unit, err)
	}
	caseID, eventID, err := problem.NextIDs(ctx, app.DB)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 23, 9, 0, 0, 0, calendar.Shanghai())
	at := func(d time.Duration) int64 { return db.Millis(day.Add(d)) }
	deadline := at(26 * time.Hour)
	dispatch, _ := json.Marshal(problem.EventData{UnitID: unit, UnitName: "电力社区居民委员会", RouteNote: "territorial|电力社区居民委员会",
		Deadline: deadline})
	filed, _ := json.Marshal(problem.EventData{CategoryID: sub.ID})
	a := problem.BulkCase{ID: caseID, Code: "20261123-00001", Source: problem.SourceInspection, CategoryID: sub.ID,
		Description: "楼下堆放废旧家具", Address: "建设路1号", Lng: 113.33, Lat: 33.70, RegionCode: "410411001001",
		State: problem.Dispatched, UnitID: unit, RouteNote: "territorial|电力社区居民委员会", ReporterID: office.UserID,
		LimitAmount: sub.Limit.Amount, LimitUnit: string(sub.Limit.Unit), Deadline: deadline, ReportedAt: at(0),
		FiledAt: at(time.Minute), DispatchedAt: at(2 * time.Minute), Version: 3, UpdatedAt: at(2 * time.Minute)}
	b := problem.BulkCase{ID: caseID + 1, Code: "20261123-00002", Source: problem.SourceHotline, CategoryID: sub.ID,
		Description: "又有人反映楼下堆放", Lng: 113.33, Lat: 33.70, RegionCode: "410411001001", State: problem.Duplicate,
		ReporterID: office.UserID, ReporterName: "王女士", ReporterPhone: "13912345678", LimitAmount: sub.Limit.Amount,
		LimitUnit: string(sub.Limit.Unit), ReportedAt: at(time.Hour), Version: 2, UpdatedAt: at(2 * time.Hour)}
	rows := problem.NewBulkRows(2, 5)
	rows.AddCase(&a)
	rows.AddCase(&b)
	for _, e := range []problem.BulkEvent{
		{ProblemID: a.ID, At: a.ReportedAt, ActorID: office.UserID, Action: problem.ActReport, To: problem.Reported, Data: "{}"},
		{ProblemID: a.ID, At: a.FiledAt, ActorID: office.UserID, Action: problem.ActFile, From: problem.Reported, To: problem.Filed, Data: string(filed)},
		{ProblemID: a.ID, At: a.DispatchedAt, ActorID: office.UserID, Action: problem.ActDispatch, From: problem.Filed, To: problem.Dispatched, Data: string(dispatch)},
		{ProblemID: b.ID, At: b.ReportedAt, ActorID: office.UserID, Action: problem.ActReport, To: problem.Reported, Data: "{}"},
		{ProblemID: b.ID, At: b.UpdatedAt, ActorID: office.UserID, Action: problem.ActMerge, From: problem.Reported, To: problem.Duplicate, Note: "重复", Data: "{}"},
	} {
		rows.AddEvent(&e)
	}
	if rows.Cases() != 2 || rows.Events() != 5 {
		t.Fatalf("%d cases, %d events", rows.Cases(), rows.Events())
	}
	if next := rows.NumberEvents(eventID); next != eventID+5 {
		t.Fatalf("next event id %d, want %d", next, eventID+5)
	}
	w := problem.NewBulkWriter()
	if err := app.DB.InTx(ctx, func(tx *db.Tx) error { return w.Write(ctx, tx, rows) }); err != nil {
		t.Fatal(err)
	}
	if err := problem.LinkDuplicates(ctx, app.DB, []int64{b.ID, a.ID}); err != nil {
		t.Fatal(err)
	}
	if err := problem.FinishBulk(ctx, app.DB, map[string]int{"20261123": 2}); err != nil {
		t.Fatal(err)
	}

	got, err := app.Problems.Get(ctx, office, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != a.Code || got.State != problem.Dispatched || got.UnitID != unit || !got.Deadline.Equal(db.FromMillis(deadline)) ||
		!got.ReportedAt.Equal(day) || got.Version != 3 || got.Description != a.Description {
		t.Errorf("bulk case reads back as %+v", got)
	}
	tl, err := app.Problems.Timeline(ctx, office, a.ID)
	if err != nil || len(tl) != 3 || tl[2].Action != problem.ActDispatch || tl[2].Data.UnitID != unit || tl[0].ID != eventID {
		t.Errorf("timeline %+v %v", tl, err)
	}
	dup, err := app.Problems.Get(ctx, office, b.ID)
	if err != nil || dup.DuplicateOf != a.ID || dup.State != problem.Duplicate || dup.ReporterPhone != b.ReporterPhone {
		t.Errorf("duplicate reads back as %+v %v", dup, err)
	}

	// The ledger goes on from the bulk rows: the next case of the day is
	// number 3, with a new id.
	app.Problems.Now = func() time.Time { return day.Add(3 * time.Hour) }
	c, err := app.Problems.Report(ctx, office, problem.ReportInput{Source: problem.SourceHotline, CategoryID: sub.ID,
		Description: "新报问题", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Code != "20261123-00003" || c.ID <= b.ID {
		t.Errorf("the next report is %s (id %d) after %s (id %d)", c.Code, c.ID, b.Code, b.ID)
	}
	// Finishing again never lowers a day's counter.
	if err := problem.FinishBulk(ctx, app.DB, map[string]int{"20261123": 1}); err != nil {
		t.Fatal(err)
	}
	c, err = app.Problems.Report(ctx, office, problem.ReportInput{Source: problem.SourceHotline, CategoryID: sub.ID,
		Description: "再报问题", RegionCode: "410411001001"})
	if err != nil || c.Code != "20261123-00004" {
		t.Errorf("after a lower counter: %+v %v", c, err)
	}
}
