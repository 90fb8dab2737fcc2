package workplan_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// The board at a city's scale: 5,000 tasks across 500 units, each with a
// cooperating unit, and 100,000 progress reports (20 a task, accepted, so
// counted in the tasks' progress). WENMING_TEST_POSTGRES selects
// PostgreSQL:
//
//	go test -run '^$' -bench Board -benchtime 50x ./internal/workplan/

const (
	benchUnits   = 500
	benchTasks   = 5000
	benchReports = 20 // a task
)

func benchPlan(b *testing.B) (*workplan.Store, access.Actor, int64) {
	b.Helper()
	ctx := context.Background()
	s, _, now := storeWithDemo(b)
	office := actorOf(b, s, "office")
	var units []org.SeedUnit
	for i := range benchUnits {
		units = append(units, org.SeedUnit{UnitInput: org.UnitInput{Code: fmt.Sprintf("bench-%03d", i), Name: fmt.Sprintf("压测单位%03d", i),
			Kind: org.KindDepartment, RegionCode: demo.District}})
	}
	ids, _, err := org.SeedUnits(ctx, s.DB, units, *now)
	if err != nil {
		b.Fatal(err)
	}
	unitIDs := make([]int64, benchUnits)
	for i := range benchUnits {
		unitIDs[i] = ids[fmt.Sprintf("bench-%03d", i)]
	}
	p, _, err := s.CreatePlan(ctx, office, workplan.PlanInput{Name: "压测方案", Rhythm: workplan.Monthly, StartsOn: "2026-01-05", EndsOn: "2026-12-31"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	created := db.Millis(*now)
	due := time.Date(2026, 6, 30, 9, 30, 0, 0, time.UTC)
	tasks := db.NewBatch("workplan_task", "", "plan_id", "seq", "position", "title", "lead_unit_id", "starts_on", "due_text", "due_on", "due_at",
		"target", "target_unit", "progress", "budget", "spent", "state", "created_at")
	var rows []any
	states := []workplan.State{workplan.NotStarted, workplan.InProgress, workplan.InProgress, workplan.Done, workplan.Review}
	for i := range benchTasks {
		rows = append(rows, p.ID, fmt.Sprint(i+1), i+1, fmt.Sprintf("任务%d", i+1), unitIDs[i%benchUnits], "2026-01-05", "2026-06-30", "2026-06-30",
			db.Millis(due.AddDate(0, 0, i%90-45)), 100.0, "个", float64(i%100), 50.0, float64(i%50), string(states[i%len(states)]), created)
	}
	if err := tasks.Insert(ctx, s.DB, rows); err != nil {
		b.Fatal(err)
	}
	taskIDs, err := db.Int64s(ctx, s.DB, "SELECT id FROM workplan_task WHERE plan_id = ? ORDER BY id", p.ID)
	if err != nil {
		b.Fatal(err)
	}
	coop := db.NewBatch("workplan_task_unit", "", "task_id", "unit_id")
	rows = rows[:0]
	for i, id := range taskIDs {
		rows = append(rows, id, unitIDs[(i+1)%benchUnits])
	}
	if err := coop.Insert(ctx, s.DB, rows); err != nil {
		b.Fatal(err)
	}
	reps := db.NewBatch("workplan_report", "", "task_id", "unit_id", "period", "body", "amount", "state", "created_at")
	rows = rows[:0]
	for i, id := range taskIDs {
		for k := range benchReports {
			rows = append(rows, id, unitIDs[i%benchUnits], fmt.Sprintf("2026-%02d", k%12+1), "本月推进情况", 1.0, string(workplan.Accepted), created)
		}
	}
	if err := reps.Insert(ctx, s.DB, rows); err != nil {
		b.Fatal(err)
	}
	return s, office, p.ID
}

// timed runs fn b.N times and reports the p50 and p99 of its durations.
func timed(b *testing.B, fn func() error) {
	b.Helper()
	var d []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Microseconds())/1000, "p99-ms")
}

func BenchmarkBoard(b *testing.B) {
	s, office, plan := benchPlan(b)
	ctx := context.Background()
	handler := actorOf(b, s, "handler")
	b.Run("office", func(b *testing.B) {
		timed(b, func() error {
			bd, err := s.Board(ctx, office, plan)
			if err == nil && bd.Total.Tasks != benchTasks {
				err = fmt.Errorf("board counts %d tasks", bd.Total.Tasks)
			}
			return err
		})
	})
	b.Run("unit-tasks", func(b *testing.B) {
		timed(b, func() error {
			_, err := s.Tasks(ctx, handler, workplan.TaskFilter{Mine: true})
			return err
		})
	})
	// The monthly summary drafted again from the month's figures (the
	// ledger is empty here: this measures the plan, campaigns and reports).
	s.Problems = &problem.Store{DB: s.DB, Now: s.Now}
	x, err := s.DraftSummary(ctx, office, demo.District, "2026-02")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("summary", func(b *testing.B) {
		timed(b, func() error {
			_, err := s.RebuildSummary(ctx, office, x.ID)
			return err
		})
	})
	b.Run("workbench", func(b *testing.B) {
		timed(b, func() error {
			_, err := workplan.Workbench{Store: s}.Items(ctx, office)
			return err
		})
	})
}
