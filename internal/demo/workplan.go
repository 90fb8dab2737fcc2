package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// WorkplanDeps are the stores the demo's work plan goes through.
type WorkplanDeps struct {
	CaseDeps
	Workplans *workplan.Store
}

// WorkplanReport says what LoadWorkplan made.
type WorkplanReport struct {
	Tasks, Reports, Campaigns, WorkReports, Summaries int
}

// demoTask is one task of the demo plan: its lead and cooperating units
// (codes), its deadline in days from now, target, money (万元), how far
// the units have got (the share of the target reported) and how it ends.
type demoTask struct {
	title, lead string
	coop        []string
	dueDays     int
	target      float64
	unit        string
	budget      float64
	share       float64
	outcome     string // done, late, overdue, review, progress, waiting (its last report not reviewed), new
}

type demoGroup struct {
	title, lead string
	coop        []string
	tasks       []demoTask
}

// demoPlan is the seeds' 十项重点工作 (香坊区, 2018) as the groups of a
// year plan, with the projects and money the seeds quote (3200 余万元,
// 68 个老旧庭院, 1.3 万余处路面; 16 个楼院 3956 万元) among their tasks.
func demoPlan() []demoGroup {
	const street1, street2 = "410411001", "410411002"
	return []demoGroup{
		{"深入学习贯彻习近平新时代中国特色社会主义思想", UnitOffice, nil, []demoTask{
			{"开展理论宣讲进社区、进企业、进校园", UnitOffice, []string{"410411-jy", "410411-wl"}, -20, 120, "场", 0, 1, "done"},
			{"建设新时代文明实践站", UnitOffice, []string{street1, street2}, 45, 30, "个", 150, 0.6, "progress"},
			{"组建百姓宣讲团", "410411-wl", nil, -40, 10, "支", 0, 1, "late"},
		}},
		{"深化社会主义核心价值观建设", UnitOffice, nil, []demoTask{
			{"主次干道公益广告全覆盖", "410411-cg", []string{"410411-sw"}, -10, 500, "处", 260, 0.82, "overdue"},
			{"建设核心价值观主题公园", "410411-yl", nil, 90, 3, "个", 480, 0.33, "progress"},
			{"更新社区宣传栏", street1, []string{street2}, 30, 104, "个", 60, 0.7, "waiting"},
		}},
		{"加强理想信念和法治教育", "410411-ga", []string{"410411-jy"}, []demoTask{
			{"开展法治宣传进社区活动", "410411-ga", []string{street1}, 60, 104, "场", 0, 0.45, "progress"},
			{"建设法治文化广场", "410411-zj", nil, 120, 1, "个", 300, 0, "new"},
		}},
		{"加强公民道德建设", UnitOffice, nil, []demoTask{
			{"评选身边好人、道德模范", UnitOffice, []string{"410411-mz"}, -5, 50, "名", 20, 1, "review"},
			{"建设诚信经营示范街", "410411-scjg", []string{"410411-sw"}, 75, 2, "条", 90, 0.5, "progress"},
			{"星级文明户评选", street2, nil, 100, 1000, "户", 0, 0.2, "progress"},
		}},
		{"大力开展环境秩序整治", "410411-cg", []string{"410411-zj", "410411-jj"}, []demoTask{
			{"老旧庭院整体改造升级", "410411-zj", []string{"410411-cg", "410411-yl"}, 60, 68, "个", 3200, 0.72, "progress"},
			{"修复破损路面", "410411-cg", []string{"410411-jt"}, -15, 1.3, "万处", 800, 0.85, "overdue"},
			{"楼院改造项目", "410411-zj", []string{street1, street2}, -30, 16, "个", 3956, 1, "done"},
			{"规范主次干道交通秩序", "410411-jj", []string{"410411-ga"}, 45, 40, "个路口", 120, 0.55, "waiting"},
			{"农贸市场提档升级", "410411-scjg", []string{"410411-cg"}, 20, 6, "个", 1200, 0.5, "progress"},
			{"背街小巷综合整治", "410411-cg", []string{street1, street2}, 80, 46, "条", 900, 0.4, "progress"},
		}},
		{"深入开展基础性创建活动", UnitOffice, nil, []demoTask{
			{"文明单位创建", UnitOffice, nil, 150, 60, "家", 0, 0.3, "progress"},
			{"文明校园创建", "410411-jy", nil, 100, 25, "所", 50, 0.4, "progress"},
			{"文明社区创建", street1, []string{street2}, 130, 30, "个", 0, 0.25, "progress"},
		}},
		{"统筹推进美丽乡村建设", "410411-zj", []string{"410411-sthj"}, []demoTask{
			{"农村人居环境整治", "410411-sthj", []string{"410411-zj"}, 110, 40, "个村", 600, 0.35, "progress"},
			{"建设农村公厕", "410411-zj", nil, -25, 30, "座", 240, 1, "late"},
			{"村庄绿化美化", "410411-yl", nil, 140, 12, "万平方米", 180, 0, "new"},
		}},
		{"不断加强学雷锋志愿服务工作", "410411-mz", []string{UnitOffice}, []demoTask{
			{"注册志愿者扩容", "410411-mz", []string{street1, street2}, 90, 20000, "人", 0, 0.6, "progress"},
			{"建设志愿服务站", "410411-mz", nil, 50, 20, "个", 100, 0.5, "waiting"},
			{"开展文明交通志愿服务", "410411-jj", nil, -8, 200, "场", 0, 0.9, "overdue"},
		}},
		{"深入推进未成年人思想道德建设", "410411-jy", nil, []demoTask{
			{"校园周边环境整治", "410411-jy", []string{"410411-scjg", "410411-ga"}, 40, 45, "所", 80, 0.5, "progress"},
			{"建设乡村少年宫", "410411-jy", nil, 120, 8, "所", 160, 0.25, "progress"},
			{"开展网络文明进校园", "410411-jy", []string{"410411-wl"}, -12, 45, "所", 0, 1, "done"},
		}},
		{"广泛开展弘扬时代新风行动", "410411-wl", nil, []demoTask{
			{"推进移风易俗", "410411-mz", nil, 100, 104, "个", 0, 0.4, "progress"},
			{"开展文明餐桌行动", "410411-sw", []string{"410411-scjg"}, 60, 500, "家", 20, 0.55, "progress"},
			{"文明旅游宣传", "410411-wl", nil, 70, 12, "场", 15, 0.5, "progress"},
		}},
	}
}

// LoadWorkplan makes the demo district's year plan (about 40 tasks in the
// ten groups above) with months of progress reports by the units, some
// accepted, some waiting, one sent back; tasks done on time, late, and
// overdue (escalated); and three special campaigns over the district's
// real sites and cases (校园周边, 集贸市场, 背街小巷), with their best
// rectifications picked. It does nothing when a plan exists.
func LoadWorkplan(ctx context.Context, d WorkplanDeps, now time.Time) (WorkplanReport, error) {
	var rep WorkplanReport
	sys := access.System()
	if plans, err := d.Workplans.Plans(ctx, sys); err != nil || len(plans) > 0 {
		return rep, err
	}
	p := &player{d: d.CaseDeps, rng: rand.New(rand.NewPCG(2026, 14)), actors: map[int64]access.Actor{}}
	if err := p.prepare(ctx); err != nil {
		return rep, err
	}
	realNow := d.Workplans.Now
	defer func() { d.Workplans.Now = realNow }()
	clock := now
	d.Workplans.Now = func() time.Time { return clock }
	loc := calendar.Shanghai()
	day := func(days int) string { return now.In(loc).AddDate(0, 0, days).Format("2006-01-02") }
	start := now.AddDate(0, 0, -150)

	codes := map[string]int64{}
	unit := func(code string) (int64, error) {
		if id, ok := codes[code]; ok {
			return id, nil
		}
		id, err := org.UnitIDByCode(ctx, d.DB, code)
		if err == nil && id == 0 {
			err = fmt.Errorf("demo unit %s missing", code)
		}
		codes[code] = id
		return id, err
	}
	units := func(cs []string) ([]int64, error) {
		var out []int64
		for _, c := range cs {
			id, err := unit(c)
			if err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, nil
	}
	groups := demoPlan()
	var inputs []workplan.TaskInput
	var specs []demoTask
	for i, g := range groups {
		lead, err := unit(g.lead)
		if err != nil {
			return rep, err
		}
		gcoop, err := units(g.coop)
		if err != nil {
			return rep, err
		}
		inputs = append(inputs, workplan.TaskInput{Seq: fmt.Sprint(i + 1), Title: g.title, LeadUnitID: lead, CoopUnitIDs: gcoop, Leader: leaders[i%len(leaders)],
			StartsOn: day(-150), Due: day(200), Description: "全区" + g.title + "，各牵头单位细化方案、落实责任。"})
		specs = append(specs, demoTask{outcome: "group"})
		for j, t := range g.tasks {
			lead, err := unit(t.lead)
			if err != nil {
				return rep, err
			}
			coop, err := units(t.coop)
			if err != nil {
				return rep, err
			}
			in := workplan.TaskInput{Seq: fmt.Sprintf("%d.%d", i+1, j+1), Title: t.title, LeadUnitID: lead, CoopUnitIDs: coop,
				Leader: leaders[(i+j+1)%len(leaders)], StartsOn: day(-150), Due: day(t.dueDays), TargetUnit: t.unit}
			target := t.target
			in.Target = &target
			if t.budget > 0 {
				budget := t.budget
				in.Budget = &budget
			}
			inputs = append(inputs, in)
			specs = append(specs, t)
		}
	}
	clock = start
	plan, terrs, err := d.Workplans.CreatePlan(ctx, p.office, workplan.PlanInput{
		Name: fmt.Sprintf("%d 年湛河区创建全国文明城市工作方案", now.In(loc).Year()), RegionCode: District, Rhythm: workplan.Monthly,
		StartsOn: day(-150), EndsOn: day(200)}, inputs)
	if err != nil {
		return rep, fmt.Errorf("demo plan: %w", err)
	}
	if len(terrs) > 0 {
		return rep, fmt.Errorf("demo plan: task %d: %s", terrs[0].Index, terrs[0].Code)
	}
	tasks, err := d.Workplans.Tasks(ctx, p.office, workplan.TaskFilter{PlanID: plan.ID})
	if err != nil {
		return rep, err
	}
	rep.Tasks = len(tasks)
	for i, t := range tasks {
		if err := p.playTask(ctx, d.Workplans, t, specs[i], start, now, &clock, &rep); err != nil {
			return rep, fmt.Errorf("demo task %s: %w", t.Title, err)
		}
	}
	clock = now
	if _, err := d.Workplans.Escalate(ctx); err != nil {
		return rep, err
	}
	n, err := p.campaigns(ctx, d.Workplans, now, &clock)
	rep.Campaigns = n
	if err != nil {
		return rep, err
	}
	if rep.WorkReports, err = p.workReports(ctx, d.Workplans, tasks, now, &clock); err != nil {
		return rep, err
	}
	// Last month's summary, drafted from its figures and issued.
	clock = now
	last := now.In(loc).AddDate(0, 0, -now.In(loc).Day()).Format("2006-01")
	x, err := d.Workplans.DraftSummary(ctx, p.office, District, last)
	if err != nil {
		return rep, fmt.Errorf("demo summary: %w", err)
	}
	if _, err := d.Workplans.IssueSummary(ctx, p.office, x.ID); err != nil {
		return rep, fmt.Errorf("demo summary: %w", err)
	}
	rep.Summaries = 1
	return rep, nil
}

// workTitles are the demo's work reports (信息报送): what units tell the office.
var workTitles = []struct{ title, body string }{
	{"开展“周末卫生日”集中清理行动", "组织干部职工、志愿者 260 余人次，清理卫生死角 48 处，清运垃圾 35 吨。"},
	{"背街小巷整治取得阶段性成效", "完成 6 条背街小巷路面修复和立面整治，新增路灯 40 盏，群众满意度明显提升。"},
	{"农贸市场实现划行归市", "对市场内 120 个摊位统一规划，设置公平秤，明码标价率达到 100%。"},
	{"文明交通劝导志愿服务常态化", "在 12 个重点路口设立文明交通劝导岗，每天早晚高峰开展劝导。"},
	{"新时代文明实践站开展“我们的节日”活动", "开展经典诵读、民俗展示等活动 8 场，参与群众 600 余人。"},
	{"校园周边流动摊贩得到有效治理", "联合市场监管、公安开展联合执法 5 次，取缔流动摊贩 32 处。"},
	{"老旧小区改造惠及居民 2300 户", "完成雨污分流、屋面防水和外墙保温改造，同步增设停车位 180 个。"},
	{"公益广告提档升级", "更新主次干道公益广告 160 处，做到内容常新、形式多样。"},
}

// workReports files a few dozen work reports over the last three months
// from the units of the plan and handles most of them as the office would.
func (p *player) workReports(ctx context.Context, s *workplan.Store, tasks []*workplan.Task, now time.Time, clock *time.Time) (int, error) {
	var leads []*workplan.Task
	for _, t := range tasks {
		if t.ParentID != 0 {
			leads = append(leads, t)
		}
	}
	made := 0
	for i := 0; i < 32 && len(leads) > 0; i++ {
		t := leads[(i*7)%len(leads)]
		h, err := p.handler(ctx, t.LeadUnitID)
		if err != nil {
			return made, err
		}
		w := workTitles[i%len(workTitles)]
		*clock = now.AddDate(0, 0, -88+i*86/32)
		in := workplan.WorkReportInput{Title: w.title, Body: w.body, TaskID: t.ID}
		if i%3 == 0 && len(p.after) > 0 {
			in.Photos = []string{p.after[i%len(p.after)]}
		}
		r, err := s.SubmitWork(ctx, h, in)
		if err != nil {
			return made, fmt.Errorf("demo work report: %w", err)
		}
		made++
		if i >= 28 {
			continue // the latest wait for the office
		}
		*clock = clock.Add(20 * time.Hour)
		d, note := workplan.Adopt, ""
		switch {
		case i%5 == 0:
			d = workplan.Highlight
		case i%9 == 4:
			d, note = workplan.Return, "请补充具体数据和照片后重新报送。"
		}
		if _, err := s.ReviewWork(ctx, p.office, r.ID, d, note); err != nil {
			return made, err
		}
	}
	return made, nil
}

// leaders are the demo's responsible leaders (责任领导).
var leaders = []string{"王副区长", "李副区长", "张常委", "刘副区长"}

// reportTexts are what units write in their monthly reports.
var reportTexts = []string{
	"本月召开推进会 1 次，细化任务清单，明确责任人和完成时限。",
	"组织专项督查，对发现的问题建立台账，逐项整改销号。",
	"完成阶段性目标，群众反映良好，下月继续加大推进力度。",
	"联合配合单位开展集中行动，出动人员 120 余人次。",
	"对照测评标准逐项自查，补齐短板，完善档案资料。",
}

// playTask files the monthly reports of a task from start to now and
// reviews them as the office would, ending as the spec says.
func (p *player) playTask(ctx context.Context, s *workplan.Store, t *workplan.Task, spec demoTask, start, now time.Time,
	clock *time.Time, rep *WorkplanReport) error {
	if spec.outcome == "new" {
		return nil
	}
	h, err := p.handler(ctx, t.LeadUnitID)
	if err != nil {
		return err
	}
	if spec.outcome == "group" {
		// A group's lead unit reports on the whole of it once a month too.
		*clock = now.AddDate(0, 0, -9)
		r, err := s.FileReport(ctx, h, t.ID, workplan.ReportInput{Body: "统筹推进本项重点工作，各项任务按计划推进，已召开调度会 3 次。"})
		if err != nil {
			return err
		}
		rep.Reports++
		*clock = clock.Add(26 * time.Hour)
		_, err = s.ReviewReport(ctx, p.office, r.ID, workplan.Decision{Accept: true})
		return err
	}
	due := t.DueAt
	months := 4
	end := now.AddDate(0, 0, -3)
	if spec.outcome == "done" || spec.outcome == "review" {
		end = due.AddDate(0, 0, -2)
	} else if spec.outcome == "late" {
		end = due.AddDate(0, 0, 6)
	}
	if end.After(now) {
		end = now.AddDate(0, 0, -1)
	}
	step := end.Sub(start.AddDate(0, 0, 20)) / time.Duration(months)
	total := spec.target * spec.share
	spent := 0.0
	if t.Budget.Valid {
		spent = math.Round(t.Budget.Float64 * min(1, spec.share*1.05))
	}
	// Countable targets are reported in whole numbers.
	round := round2
	if spec.target >= 20 {
		round = math.Round
		total = math.Round(total)
	}
	for k := 0; k < months; k++ {
		*clock = start.AddDate(0, 0, 20).Add(step * time.Duration(k+1))
		last := k == months-1
		amount, money := round(total/float64(months)), math.Round(spent/float64(months))
		if last {
			amount, money = round2(total-round(total/float64(months))*float64(months-1)), spent-math.Round(spent/float64(months))*float64(months-1)
		}
		in := workplan.ReportInput{Body: reportTexts[(int(t.ID)+k)%len(reportTexts)], Amount: &amount}
		if t.Budget.Valid {
			in.Spent = &money
		}
		if last && (spec.outcome == "done" || spec.outcome == "late" || spec.outcome == "review") {
			in.ClaimsDone = true
			in.Body = "各项任务已全部完成，达到方案目标，申请验收。"
		}
		if k == 0 && len(t.CoopUnitIDs) > 0 {
			part := round(amount / 3)
			amount = round2(amount - part)
			in.Amount = &amount
			in.Parts = []workplan.PartInput{{UnitID: t.CoopUnitIDs[0], Body: "配合开展联合检查，完成分管区域任务。", Amount: &part}}
		}
		if k == 1 && len(p.after) > 0 {
			in.Photos = []string{p.after[int(t.ID)%len(p.after)]}
		}
		r, err := s.FileReport(ctx, h, t.ID, in)
		if err != nil {
			return err
		}
		rep.Reports++
		if last && (spec.outcome == "waiting" || spec.outcome == "review") {
			return nil
		}
		*clock = clock.Add(26 * time.Hour)
		if _, err := s.ReviewReport(ctx, p.office, r.ID, workplan.Decision{Accept: true}); err != nil {
			return err
		}
		// One early report is sent back, and filed again better.
		if k == 0 && t.ID%7 == 3 {
			again, err := s.FileReport(ctx, h, t.ID, workplan.ReportInput{Body: "补充：附整改前后照片和台账。"})
			if err != nil {
				return err
			}
			rep.Reports++
			if _, err := s.ReviewReport(ctx, p.office, again.ID, workplan.Decision{Note: "缺少量化数据，请按目标口径补报。"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// campaigns makes the three special campaigns over the district's sites
// and cases, and picks each one's best rectifications.
func (p *player) campaigns(ctx context.Context, s *workplan.Store, now time.Time, clock *time.Time) (int, error) {
	loc := calendar.Shanghai()
	day := func(days int) string { return now.In(loc).AddDate(0, 0, days).Format("2006-01-02") }
	cat := map[string]int64{}
	for _, sub := range p.subs {
		cat[sub.Code] = sub.ID
	}
	ids := func(codes ...string) []int64 {
		var out []int64
		for _, c := range codes {
			if id, ok := cat[c]; ok {
				out = append(out, id)
			}
		}
		return out
	}
	unit := func(code string) int64 {
		id, _ := org.UnitIDByCode(ctx, p.d.DB, code)
		return id
	}
	list := []workplan.CampaignInput{
		{Name: "校园周边环境专项整治", StartsOn: day(-30), EndsOn: day(30), LeadUnitID: unit("410411-jy"),
			CoopUnitIDs: []int64{unit("410411-scjg"), unit("410411-ga"), unit("410411-cg")},
			CategoryIDs: ids("JM01", "JM02", "JM03", "JM04", "JT01", "JT02", "SR01", "SR02"), SiteTypes: []string{"school"},
			Goal: "校园周边 200 米内无占道经营、无流动摊贩、无乱停乱放，上下学时段交通秩序井然。"},
		{Name: "集贸市场专项整治", StartsOn: day(-90), EndsOn: day(20), LeadUnitID: unit("410411-scjg"),
			CoopUnitIDs: []int64{unit("410411-cg"), unit("410411-wj")},
			CategoryIDs: ids("SC01", "SC02", "SC03", "JM01", "JM02", "SR01", "SR03"),
			Goal:        "农贸市场划行归市、明码标价，市场内外整洁有序，不外溢占道。"},
		{Name: "背街小巷环境攻坚", StartsOn: day(-120), EndsOn: day(60), LeadUnitID: unit("410411-cg"),
			CoopUnitIDs: []int64{unit("410411001"), unit("410411002")},
			CategoryIDs: ids("XQ01", "XQ02", "XQ03", "XQ04", "SR01", "SR02", "JM04", "JM05"),
			Goal:        "背街小巷无暴露垃圾、无乱堆乱放、无乱贴乱画，路面平整、照明完好。"},
	}
	made := 0
	for _, in := range list {
		*clock = now.AddDate(0, 0, -100)
		in.RegionCode = District
		c, err := s.CreateCampaign(ctx, p.office, in)
		if err != nil {
			return made, fmt.Errorf("demo campaign %s: %w", in.Name, err)
		}
		made++
		*clock = now
		_, cases, err := s.CampaignCases(ctx, p.office, c.ID)
		if err != nil {
			return made, err
		}
		picked := 0
		for _, x := range cases {
			if picked == 3 {
				break
			}
			if x.State == "closed" {
				if err := s.AddCase(ctx, p.office, c.ID, x.Code, true); err != nil {
					return made, err
				}
				picked++
			}
		}
		// The 校园周边 campaign also runs the task of the plan that serves it.
		if strings.HasPrefix(in.Name, "校园周边") {
			if err := p.linkTask(ctx, s, c.ID, "校园周边环境整治"); err != nil {
				return made, err
			}
		}
	}
	return made, nil
}

// linkTask adds a campaign's task to the plan: the campaign's own part of it.
func (p *player) linkTask(ctx context.Context, s *workplan.Store, campaign int64, title string) error {
	plans, err := s.Plans(ctx, p.office)
	if err != nil || len(plans) == 0 {
		return err
	}
	lead, _ := org.UnitIDByCode(ctx, p.d.DB, "410411-jy")
	target := 12.0
	terrs, err := s.AddTasks(ctx, p.office, plans[0].ID, []workplan.TaskInput{{Seq: "9.4", Title: title + "（专项整治）", LeadUnitID: lead,
		Due: "30个工作日", Target: &target, TargetUnit: "所", CampaignID: campaign, StartsOn: s.Now().In(calendar.Shanghai()).Format("2006-01-02")}})
	if err != nil {
		return err
	}
	if len(terrs) > 0 {
		return fmt.Errorf("campaign task: %s", terrs[0].Code)
	}
	return nil
}
