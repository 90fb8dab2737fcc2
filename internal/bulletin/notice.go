package bulletin

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// T translates a catalogue key (i18n.Catalog.T).
type T func(key string, args ...any) string

// Pct shows a rate as a percentage with one decimal, or a dash when its
// denominator is empty.
func Pct(x float64, defined bool) string { return problem.Percent(x, defined) }

// One formats a number with one decimal.
func One(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64) }

func day(t time.Time) (int, int, int) {
	l := t.In(calendar.Shanghai())
	return l.Year(), int(l.Month()), l.Day()
}

// DateText writes a day the way official documents do: 2026年11月23日.
func DateText(t T, at time.Time) string {
	y, m, d := day(at)
	return t("bulletin.date", y, m, d)
}

// PeriodText names a period: 2026年11月16日至11月22日.
func (p Period) Text(t T) string {
	f, _ := civil(p.From)
	to, _ := civil(p.To)
	if p.From == p.To {
		return t("bulletin.date", f.Year(), int(f.Month()), f.Day())
	}
	if f.Year() == to.Year() {
		return t("bulletin.period_same_year", f.Year(), int(f.Month()), f.Day(), int(to.Month()), to.Day())
	}
	return t("bulletin.period_range", f.Year(), int(f.Month()), f.Day(), to.Year(), int(to.Month()), to.Day())
}

// Label names a period by its kind: 2026年第47周, 2026年11月, or its days.
func (p Period) Label(t T) string {
	switch p.Kind {
	case PeriodWeek:
		f, _ := civil(p.From)
		y, w := f.ISOWeek()
		return t("bulletin.week_label", y, w)
	case PeriodMonth:
		return t("bulletin.month_label", p.Year(), p.Month())
	}
	return p.Text(t)
}

// Name names the scope: the region, or the units (the first three and
// how many).
func (s Scope) Name(t T) string {
	if !s.IsUnits() {
		return s.RegionName
	}
	names := s.UnitNames[:min(3, len(s.UnitNames))]
	if len(s.Units) > len(names) {
		return t("bulletin.scope_units_more", strings.Join(names, t("bulletin.list_sep")), len(s.Units))
	}
	return strings.Join(names, t("bulletin.list_sep"))
}

// IssuerText is the issuing office's name for the red header.
func (b *Bulletin) IssuerText(t T) string {
	if b.IssuerName != "" {
		return b.IssuerName
	}
	return t("bulletin.issuer_fallback")
}

// TitleText is the bulletin's title: as typed, or the standard one.
func (b *Bulletin) TitleText(t T) string {
	if b.Title != "" {
		return b.Title
	}
	return t("bulletin.title_auto", b.Scope.Name(t), b.Period.Label(t))
}

// NumberText is 〔2026〕第12期, or a note that a draft has no number.
func (b *Bulletin) NumberText(t T) string {
	if b.Draft {
		return t("bulletin.draft_number")
	}
	return t("bulletin.number", b.Year, b.Seq)
}

// DateText is the day of issue (for a draft, the day the figures were taken).
func (b *Bulletin) DateText(t T) string {
	if b.Draft {
		return DateText(t, b.TakenAt)
	}
	return DateText(t, b.IssuedAt)
}

// countChange says how a count moved: 增加3个, 减少2个, 持平.
func countChange(t T, cur, prev int) string {
	switch {
	case cur > prev:
		return t("bulletin.up_n", cur-prev)
	case cur < prev:
		return t("bulletin.down_n", prev-cur)
	}
	return t("bulletin.flat")
}

// pointChange says how a rate moved, in percentage points.
func pointChange(t T, cur, prev float64, defined bool) string {
	if !defined {
		return "—"
	}
	d := math.Round((cur-prev)*1000) / 10
	switch {
	case d > 0:
		return t("bulletin.up_points", One(d))
	case d < 0:
		return t("bulletin.down_points", One(-d))
	}
	return t("bulletin.flat")
}

// Signed shows a change with its sign: +2.5, −1.0, 0.0.
func Signed(x float64) string {
	x = math.Round(x*10) / 10
	switch {
	case x > 0:
		return "+" + One(x)
	case x < 0:
		return "−" + One(-x)
	}
	return "0.0"
}

func itoa(n int) string { return strconv.Itoa(n) }

// GroupKey is the catalogue key of a group's name.
func GroupKey(g string) string { return "bulletin.group." + g }

// ApartKey is the catalogue key of the reason a unit is not ranked.
func ApartKey(reason string) string { return "bulletin.apart." + reason }

// Notice lays the bulletin out as an official notice: the red header, the
// number, title and date, and numbered sections of paragraphs and tables.
// The print page, the workbook and the PDF all come from it. Widths are in
// millimetres of an A4 text block (158 mm).
func (b *Bulletin) Notice(t T) pdfdoc.Notice {
	n := pdfdoc.Notice{Issuer: b.IssuerText(t), Title: b.TitleText(t), Number: b.NumberText(t), Date: b.DateText(t)}
	numerals := strings.Split(t("bulletin.numerals"), ",")
	add := func(heading string, s pdfdoc.Section) {
		i := len(n.Sections)
		num := strconv.Itoa(i + 1)
		if i < len(numerals) {
			num = numerals[i]
		}
		s.Heading = t("bulletin.heading", num, heading)
		n.Sections = append(n.Sections, s)
	}
	cur, prev := b.Totals, b.PrevTotals
	prevDefined := prev.Filed > 0 || prev.Found > 0

	// The overview.
	overview := pdfdoc.Section{Paragraphs: []string{t("bulletin.overview_text", b.Period.Text(t), b.Scope.Name(t), cur.Found, cur.Filed,
		cur.Closed, cur.ClosureText(), cur.OnTimeText(), cur.ReworkText(), cur.ExtensionText(), cur.ReturnText(),
		DateText(t, b.TakenAt), cur.Overdue)}}
	if prevDefined {
		overview.Paragraphs = append(overview.Paragraphs, t("bulletin.change_text", b.Previous.Text(t), countChange(t, cur.Filed, prev.Filed),
			pointChange(t, cur.ClosureRate(), prev.ClosureRate(), cur.Filed-cur.Parked > 0 && prev.Filed-prev.Parked > 0),
			pointChange(t, cur.OnTimeRate(), prev.OnTimeRate(), cur.Filed-cur.Parked > 0 && prev.Filed-prev.Parked > 0)))
	} else {
		overview.Paragraphs = append(overview.Paragraphs, t("bulletin.no_previous", b.Previous.Text(t)))
	}
	totals := pdfdoc.Table{Header: []string{t("bulletin.col.metric"), t("bulletin.col.current"), t("bulletin.col.previous"), t("bulletin.col.change")},
		Widths: []float64{46, 36, 36, 40}}
	countRow := func(key string, c, p int) {
		totals.Rows = append(totals.Rows, []string{t(key), itoa(c), itoa(p), countChange(t, c, p)})
	}
	rateRow := func(key string, c, p float64, cd, pd bool) {
		totals.Rows = append(totals.Rows, []string{t(key), Pct(c, cd), Pct(p, pd), pointChange(t, c, p, cd && pd)})
	}
	countRow("bulletin.m.found", cur.Found, prev.Found)
	countRow("bulletin.m.filed", cur.Filed, prev.Filed)
	countRow("bulletin.m.closed", cur.Closed, prev.Closed)
	rateRow("bulletin.m.closure_rate", cur.ClosureRate(), prev.ClosureRate(), cur.Filed-cur.Parked > 0, prev.Filed-prev.Parked > 0)
	rateRow("bulletin.m.on_time_rate", cur.OnTimeRate(), prev.OnTimeRate(), cur.Filed-cur.Parked > 0, prev.Filed-prev.Parked > 0)
	rateRow("bulletin.m.rework_rate", cur.ReworkRate(), prev.ReworkRate(), cur.Verifications > 0, prev.Verifications > 0)
	rateRow("bulletin.m.extension_rate", cur.ExtensionRate(), prev.ExtensionRate(), cur.Dispatched > 0, prev.Dispatched > 0)
	rateRow("bulletin.m.return_rate", cur.ReturnRate(), prev.ReturnRate(), cur.Dispatched > 0, prev.Dispatched > 0)
	totals.Rows = append(totals.Rows, []string{t("bulletin.m.overdue"), itoa(cur.Overdue), "—", "—"})
	if cur.Handled > 0 || prev.Handled > 0 {
		hours := func(f problem.KPI) string {
			if f.Handled == 0 {
				return "—"
			}
			return One(f.MeanHandlingHours)
		}
		totals.Rows = append(totals.Rows, []string{t("bulletin.m.mean_hours"), hours(cur), hours(prev), "—"})
	}
	overview.Tables = []pdfdoc.Table{totals}
	add(t("bulletin.s.overview"), overview)

	// By source.
	src := pdfdoc.Section{}
	if len(b.BySource) == 0 {
		src.Paragraphs = []string{t("bulletin.none_in_period")}
	} else {
		tab := pdfdoc.Table{Header: []string{t("bulletin.col.source"), t("bulletin.m.found"), t("bulletin.m.filed"), t("bulletin.m.closed"),
			t("bulletin.m.closure_rate"), t("bulletin.m.on_time_rate")}, Widths: []float64{38, 22, 22, 22, 27, 27}}
		for _, r := range b.BySource {
			f := r.Figures
			tab.Rows = append(tab.Rows, []string{t(r.Source.Key()), itoa(f.Found), itoa(f.Filed), itoa(f.Closed), f.ClosureText(), f.OnTimeText()})
		}
		src.Tables = []pdfdoc.Table{tab}
	}
	add(t("bulletin.s.sources"), src)

	// The top categories.
	cats := pdfdoc.Section{}
	if len(b.Categories) == 0 {
		cats.Paragraphs = []string{t("bulletin.none_in_period")}
	} else {
		tab := pdfdoc.Table{Header: []string{t("bulletin.col.category"), t("bulletin.m.filed"), t("bulletin.m.closed"), t("bulletin.m.closure_rate"),
			t("bulletin.m.on_time_rate"), t("bulletin.m.rework_rate")}, Widths: []float64{50, 20, 20, 22, 24, 22}}
		for _, r := range b.Categories {
			f := r.Figures
			name := r.Name
			if r.Top != "" {
				name = t("bulletin.category_path", r.Top, r.Name)
			}
			tab.Rows = append(tab.Rows, []string{name, itoa(f.Filed), itoa(f.Closed), f.ClosureText(), f.OnTimeText(), f.ReworkText()})
		}
		cats.Tables = []pdfdoc.Table{tab}
	}
	add(t("bulletin.s.categories"), cats)

	// The red and black lists: one table over the groups.
	lists := pdfdoc.Section{Paragraphs: []string{t("bulletin.lists_rule", b.Config.ListSize, b.Config.MinSample)}}
	tab := pdfdoc.Table{Header: []string{t("bulletin.col.group"), t("bulletin.col.list"), t("bulletin.col.rank"), t("bulletin.col.unit"),
		t("bulletin.col.score"), t("bulletin.col.on_time"), t("bulletin.col.closure")}, Widths: []float64{22, 14, 12, 54, 18, 20, 18}}
	for _, g := range b.Groups {
		for _, set := range []struct {
			key   string
			units []UnitRow
		}{{"bulletin.red", g.RedList()}, {"bulletin.black", g.BlackList()}} {
			for _, u := range set.units {
				tab.Rows = append(tab.Rows, []string{t(GroupKey(g.Key)), t(set.key), itoa(u.Rank), u.Name, u.ScoreText(),
					u.Figures.OnTimeText(), u.Figures.ClosureText()})
			}
		}
	}
	if len(tab.Rows) == 0 {
		lists.Paragraphs = append(lists.Paragraphs, t("bulletin.no_lists"))
	} else {
		lists.Tables = []pdfdoc.Table{tab}
	}
	add(t("bulletin.s.lists"), lists)

	// Then one section per group: the ranked units, then those listed
	// apart; units without cases are only counted.
	if len(b.Groups) == 0 {
		add(t("bulletin.s.units"), pdfdoc.Section{Paragraphs: []string{t("bulletin.no_units")}})
	}
	for _, g := range b.Groups {
		sec := pdfdoc.Section{}
		ranked := pdfdoc.Table{Header: []string{t("bulletin.col.rank"), t("bulletin.col.unit"), t("bulletin.col.cases"),
			t("bulletin.col.closure"), t("bulletin.col.on_time"), t("bulletin.col.rework"), t("bulletin.col.extension"), t("bulletin.col.return"),
			t("bulletin.col.overdue"), t("bulletin.col.deducted"), t("bulletin.col.score"), t("bulletin.col.score_change")},
			Widths: []float64{10, 36, 10, 13, 13, 11, 11, 11, 10, 10, 12, 11}}
		apart := pdfdoc.Table{Header: []string{t("bulletin.col.unit"), t("bulletin.col.cases"), t("bulletin.col.closure"), t("bulletin.col.on_time"),
			t("bulletin.col.overdue"), t("bulletin.col.score"), t("bulletin.col.apart")}, Widths: []float64{50, 14, 18, 20, 14, 18, 24}}
		idle := 0
		for _, u := range g.Units {
			f := u.Figures
			switch {
			case u.Ranked():
				ranked.Rows = append(ranked.Rows, []string{itoa(u.Rank), u.Name, itoa(u.Cases), f.ClosureText(), f.OnTimeText(),
					f.ReworkText(), f.ExtensionText(), f.ReturnText(), itoa(f.Overdue), One(u.Deducted()), u.ScoreText(), u.ChangeText()})
			case u.Cases == 0 && f.Overdue == 0:
				idle++
			default:
				apart.Rows = append(apart.Rows, []string{u.Name, itoa(u.Cases), f.ClosureText(), f.OnTimeText(), itoa(f.Overdue),
					u.ScoreText(), t(ApartKey(u.Apart))})
			}
		}
		sec.Paragraphs = append(sec.Paragraphs, t("bulletin.group_summary", len(g.Units), len(ranked.Rows), len(apart.Rows), b.Config.MinSample))
		if line := dossierLine(t, g.Units); line != "" {
			sec.Paragraphs = append(sec.Paragraphs, line)
		}
		if idle > 0 {
			sec.Paragraphs = append(sec.Paragraphs, t("bulletin.group_idle", idle))
		}
		if len(ranked.Rows) > 0 {
			sec.Tables = append(sec.Tables, ranked)
		}
		if len(apart.Rows) > 0 {
			sec.Tables = append(sec.Tables, apart)
		}
		add(t("bulletin.s.group", t(GroupKey(g.Key))), sec)
	}

	// The overdue cases.
	over := pdfdoc.Section{}
	if len(b.Overdue) == 0 {
		over.Paragraphs = []string{t("bulletin.no_overdue")}
	} else {
		over.Paragraphs = []string{t("bulletin.overdue_text", DateText(t, b.TakenAt), b.Totals.Overdue)}
		tab := pdfdoc.Table{Header: []string{t("bulletin.col.code"), t("bulletin.col.problem"), t("bulletin.col.unit"), t("bulletin.col.place"),
			t("bulletin.col.deadline"), t("bulletin.col.overdue_days")}, Widths: []float64{30, 46, 30, 20, 18, 14}}
		for _, c := range b.Overdue {
			tab.Rows = append(tab.Rows, []string{c.Code, c.Description, c.Unit, c.Region, DateText(t, c.Deadline), itoa(c.OverdueDays)})
		}
		over.Tables = []pdfdoc.Table{tab}
		if b.OverdueMore > 0 {
			over.Paragraphs = append(over.Paragraphs, t("bulletin.overdue_more", b.OverdueMore))
		}
	}
	add(t("bulletin.s.overdue"), over)

	// The cases that failed verification repeatedly.
	rep := pdfdoc.Section{}
	if len(b.Repeated) == 0 {
		rep.Paragraphs = []string{t("bulletin.no_repeated")}
	} else {
		tab := pdfdoc.Table{Header: []string{t("bulletin.col.code"), t("bulletin.col.problem"), t("bulletin.col.unit"), t("bulletin.col.rework_times"),
			t("bulletin.col.state")}, Widths: []float64{32, 56, 32, 16, 22}}
		for _, c := range b.Repeated {
			tab.Rows = append(tab.Rows, []string{c.Code, c.Description, c.Unit, itoa(c.Rework), t(problem.State(c.State).Key())})
		}
		rep.Tables = []pdfdoc.Table{tab}
	}
	add(t("bulletin.s.repeated"), rep)

	// Inspection score rates.
	ins := pdfdoc.Section{}
	in := b.Inspections
	if in.Count == 0 {
		ins.Paragraphs = []string{t("bulletin.no_inspections")}
	} else {
		text := t("bulletin.inspections_text", in.Count, Pct(in.Mean, true))
		if in.PrevCount > 0 {
			text += t("bulletin.inspections_change", Pct(in.PrevMean, true), pointChange(t, in.Mean, in.PrevMean, true))
		}
		ins.Paragraphs = []string{text}
		for _, set := range []struct {
			key  string
			rows []ScoreRate
		}{{"bulletin.col.site_type", in.ByType}, {"bulletin.col.street", in.ByStreet}} {
			tab := pdfdoc.Table{Header: []string{t(set.key), t("bulletin.col.inspections"), t("bulletin.col.score_rate")}, Widths: []float64{78, 40, 40}}
			for _, r := range set.rows {
				tab.Rows = append(tab.Rows, []string{r.Name, itoa(r.Inspections), Pct(r.Mean, true)})
			}
			ins.Tables = append(ins.Tables, tab)
		}
	}
	add(t("bulletin.s.inspections"), ins)

	// Volunteering, when the area has it.
	if v := b.Volunteer; v != nil {
		sec := pdfdoc.Section{Paragraphs: []string{t("volunteer.bulletin_text", v.Registered, v.Active, v.Teams, v.Activities,
			volunteer.Hours(v.Minutes))}}
		if len(v.TopTeams) > 0 {
			tab := pdfdoc.Table{Header: []string{t("volunteer.team"), t("volunteer.hours")}, Widths: []float64{110, 48}}
			for _, r := range v.TopTeams {
				tab.Rows = append(tab.Rows, []string{r.Name, volunteer.Hours(r.Minutes)})
			}
			sec.Tables = []pdfdoc.Table{tab}
		}
		add(t("volunteer.bulletin_heading"), sec)
	}

	// Notes: the formula and the definitions.
	add(t("bulletin.s.notes"), pdfdoc.Section{Paragraphs: []string{b.Config.Formula(t), t("bulletin.definitions"),
		t("bulletin.frozen_note", DateText(t, b.TakenAt))}})
	n.Footer = t("bulletin.footer", b.IssuerText(t), b.DateText(t))
	return n
}

// dossierLine names the group's units with evidence dossier items (材料审核)
// overdue at the period's end and how many, "" when none: the separate
// line the assessment weighs (PerDossierOverdue).
func dossierLine(t T, units []UnitRow) string {
	var parts []string
	for _, u := range units {
		if n := int(u.Weighted.DossierOverdue); n > 0 {
			parts = append(parts, t("bulletin.dossier_unit", u.Name, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return t("bulletin.dossier_line", strings.Join(parts, "、"))
}

// Formula writes the composite score of a configuration in words.
func (c Config) Formula(t T) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	return t("bulletin.formula", f(c.OnTime), f(c.Closure), f(c.Rework), f(c.Return), f(c.Extension),
		f(c.PerFailed), f(c.PerFalsified), f(c.PerUnjustified), f(c.DoubleFactor), c.MinSample, c.ListSize)
}

// Deducted is the points the penalties took off.
func (u UnitRow) Deducted() float64 {
	return u.Parts.Failed + u.Parts.Falsified + u.Parts.Unjustified + u.Parts.Dossier
}

// Added is the points the unit's adopted work reports add.
func (u UnitRow) Added() float64 { return u.Parts.Adopted + u.Parts.Highlights }

// ScoreText is the score with one decimal, or a dash for a unit without
// cases.
func (u UnitRow) ScoreText() string {
	if u.Cases == 0 {
		return "—"
	}
	return One(u.Score)
}

// ChangeText is the score's change against the previous period, signed,
// or a dash when the unit was not ranked then or now.
func (u UnitRow) ChangeText() string {
	if !u.Ranked() || !u.HasPrev {
		return "—"
	}
	return Signed(u.ScoreChange())
}
