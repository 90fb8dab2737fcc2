package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
)

// vocab holds the word lists of text.go, read once per generator goroutine.
type vocab struct {
	surnames, given, roads, landmarks, urgency                       []string
	rejects, returns, extensions, refusals, plans, rectifies, passes []string
	fails                                                            []string
}

func newVocab() *vocab {
	return &vocab{
		surnames: demo.Surnames(), given: demo.GivenNames(), roads: demo.Roads(), landmarks: demo.Landmarks(), urgency: demo.Urgency(),
		rejects: demo.RejectNotes(), returns: demo.ReturnNotes(), extensions: demo.ExtensionNotes(), refusals: demo.RefuseNotes(),
		plans: demo.ParkPlans(), rectifies: demo.RectifyNotes(), passes: demo.PassNotes(), fails: demo.FailNotes(),
	}
}

// catPhrases lists, per category index, what reporters write about it.
func catPhrases(cats []cat) [][]string {
	known := demo.Phrases()
	out := make([][]string, len(cats))
	for i, ct := range cats {
		out[i] = demo.PhrasesOf(known, ct.code, ct.name)
	}
	return out
}

// caseText is the free text of a case.
type caseText struct {
	description, address, reporterName, reporterPhone string
}

// where draws the text and the position of case idx: its description and
// address, for the public form and the hotline the reporter's name and
// phone, and a point in its grid.
func (s *sim) where(idx int, sp *spec) (caseText, geo.Point) {
	s.seedAux(idx, streamText)
	t := s.text(sp)
	return t, s.c.position(s.aux, sp.grid)
}

func (s *sim) text(sp *spec) caseText {
	r, w := s.aux, s.words
	phrases := s.c.phrases[sp.cat]
	named := sp.source == problem.SourceCitizen || sp.source == problem.SourceHotline
	var b strings.Builder
	road := w.roads[r.IntN(len(w.roads))]
	b.WriteString(road)
	b.WriteString(strconv.Itoa(1 + r.IntN(300)))
	b.WriteString(w.landmarks[r.IntN(len(w.landmarks))])
	t := caseText{address: b.String()}
	t.description = phrases[r.IntN(len(phrases))] + w.urgency[r.IntN(len(w.urgency))]
	if named {
		t.reporterName = w.surnames[r.IntN(len(w.surnames))] + []string{"先生", "女士"}[r.IntN(2)]
		t.reporterPhone = "1" + strconv.Itoa(3+r.IntN(7)) + pad9(r.IntN(1_000_000_000))
	}
	return t
}

func pad9(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 9-len(s)) + s
}

// position draws a point inside grid g that the index locates in g (never
// on a shared edge, where a neighbour could win).
func (c *city) position(r *rand.Rand, g int) geo.Point {
	gr := &c.grids[g]
	b := gr.box
	for range 1000 {
		p := geo.Point{Lng: b.MinLng + r.Float64()*(b.MaxLng-b.MinLng), Lat: b.MinLat + r.Float64()*(b.MaxLat-b.MinLat)}
		if !gr.shape.Contains(p) {
			continue
		}
		if code, ok := c.index.Locate(p); ok && code == gr.code {
			return p
		}
	}
	// Unreachable for the convex-ish cells of SyntheticGrids; the first
	// vertex is at least inside the grid's closure.
	return gr.shape[0][0][0]
}

// near draws a point a few metres from p in the same grid, for a duplicate
// report of the same problem.
func (c *city) near(r *rand.Rand, p geo.Point, g int) geo.Point {
	const metres20 = 0.00018 // about 20 m in degrees
	for range 20 {
		q := geo.Point{Lng: p.Lng + (r.Float64()*2-1)*metres20, Lat: p.Lat + (r.Float64()*2-1)*metres20}
		if code, ok := c.index.Locate(q); ok && code == c.grids[g].code {
			return q
		}
	}
	return p
}

// timeline is the span the cases are reported in, by day, with weights:
// fewer reports at weekends and at night.
type timeline struct {
	start, end int64
	dayCum     []float64
	hourCum    []float64
}

func newTimeline(start, end time.Time, cal *calendar.Calendar) timeline {
	tl := timeline{start: start.UnixMilli(), end: end.UnixMilli()}
	sum := 0.0
	for d := tl.start; d < tl.end; d += day {
		w := 1.0
		if !cal.IsWorkday(time.UnixMilli(d + 12*hour)) {
			w = 0.6 // cadres and inspectors report less on days off
		}
		sum += w
		tl.dayCum = append(tl.dayCum, sum)
	}
	hours := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.5, 1.6, 1.6, 1.4, 0.8, 0.8, 1.4, 1.5, 1.5, 1.3, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2}
	sum = 0
	for _, h := range hours {
		sum += h
		tl.hourCum = append(tl.hourCum, sum)
	}
	return tl
}

// randomTime draws a report time in [start, end). Days start at start,
// which is a Shanghai midnight when End is (the default), so the hour
// weights are local hours.
func (c *city) randomTime(r *rand.Rand) int64 {
	tl := &c.timeline
	d := int64(pickCum(tl.dayCum, r))
	h := int64(pickCum(tl.hourCum, r))
	t := tl.start + d*day + h*hour + r.Int64N(hour)
	return min(t, tl.end-minute)
}
