package holder

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Card is a holder's monthly report card (月度责任考核): the cases found
// in what they hold in the month, closed on time, overdue at the month's
// end (or now, in the current month), the mean published inspection score
// of their sites, the merchant flags of their regions, and the titles
// awarded there.
type Card struct {
	Holder Holder
	Month  string
	problem.AreaFigures
	Inspections int
	Score       float64 // mean rate, 0–1
	FlagsShown  bool
	Red, Black  int
	Awarded     int
}

// ScoreText is the mean inspection score out of 100, a dash when none.
func (c Card) ScoreText() string {
	if c.Inspections == 0 {
		return "—"
	}
	return strconv.FormatFloat(c.Score*100, 'f', 1, 64)
}

// MonthRange is the month YYYY-MM in Asia/Shanghai as [from, to).
func MonthRange(month string) (time.Time, time.Time, error) {
	from, err := time.ParseInLocation("2006-01", month, loc())
	if err != nil {
		return time.Time{}, time.Time{}, apperr.Invalid("holder.month_invalid")
	}
	return from, from.AddDate(0, 1, 0), nil
}

// ThisMonth is the current month as YYYY-MM.
func (s *Store) ThisMonth() string { return s.Clock().In(loc()).Format("2006-01") }

// Card is one holder's report card for a month.
func (s *Store) Card(ctx context.Context, a access.Actor, id int64, month string) (Card, error) {
	h, err := s.Get(ctx, a, id)
	if err != nil {
		return Card{}, err
	}
	cards, err := s.cards(ctx, []Holder{h}, month)
	if err != nil {
		return Card{}, err
	}
	return cards[0], nil
}

// Cards are the report cards of every holder of the actor's area for a
// month, for the office to print.
func (s *Store) Cards(ctx context.Context, a access.Actor, month string) ([]Card, error) {
	hs, err := s.List(ctx, a)
	if err != nil {
		return nil, err
	}
	return s.cards(ctx, hs, month)
}

func (s *Store) cards(ctx context.Context, hs []Holder, month string) ([]Card, error) {
	from, to, err := MonthRange(month)
	if err != nil {
		return nil, err
	}
	at := to
	if now := s.Clock(); now.Before(at) {
		at = now
	}
	// One read of the month's published scores for every holder.
	scores, err := inspect.PublishedScores(ctx, s.DB, from, to)
	if err != nil {
		return nil, err
	}
	var awarded []string
	if s.Picks != nil {
		if awarded, err = s.Picks.AwardedRegions(ctx, from, to); err != nil {
			return nil, err
		}
	}
	boxes, err := s.boxes(ctx, hs)
	if err != nil {
		return nil, err
	}
	areas := make([]problem.Area, len(hs))
	for i, h := range hs {
		areas[i] = h.areaWith(boxes)
	}
	// One read of the month's cases for every holder's area.
	figures, err := s.Problems.AreasFigures(ctx, areas, from, to, at)
	if err != nil {
		return nil, err
	}
	flags, err := s.monthFlags(ctx, hs, month)
	if err != nil {
		return nil, err
	}
	out := make([]Card, len(hs))
	for i, h := range hs {
		c := Card{Holder: h, Month: month, FlagsShown: s.Flags != nil, AreaFigures: figures[i]}
		sum := 0.0
		for _, x := range scores {
			if holdsSite(h, x.SiteID, x.RegionCode) {
				c.Inspections++
				sum += x.Rate
			}
		}
		if c.Inspections > 0 {
			c.Score = sum / float64(c.Inspections)
		}
		for _, r := range flags {
			if !inAny(r.RegionCode, h.Regions()) {
				continue
			}
			switch r.Flag {
			case "red":
				c.Red++
			case "black":
				c.Black++
			}
		}
		for _, code := range awarded {
			if inAny(code, h.Regions()) {
				c.Awarded++
			}
		}
		out[i] = c
	}
	return out, nil
}

// monthFlags are the month's merchant flags of every region the holders
// hold, from one read of the subtree they share.
func (s *Store) monthFlags(ctx context.Context, hs []Holder, month string) ([]FlagRow, error) {
	if s.Flags == nil {
		return nil, nil
	}
	var codes []string
	for _, h := range hs {
		codes = append(codes, h.Regions()...)
	}
	if len(codes) == 0 {
		return nil, nil
	}
	root := codes[0]
	for _, c := range codes[1:] {
		for !strings.HasPrefix(c, root) {
			root = root[:len(root)-1]
		}
	}
	return s.Flags.FlagsIn(ctx, root, month)
}

// inAny reports whether a region code lies in one of the subtrees.
func inAny(code string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(code, r) {
			return true
		}
	}
	return false
}
