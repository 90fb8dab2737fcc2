package server

import (
	"context"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/web"
)

// The adapters below let the ledger use the calendar, the category
// catalogue and the spatial index without those packages knowing it.

// workingTime caches the calendar snapshot for a minute: the office edits
// the calendar rarely, deadlines are computed often.
type workingTime struct {
	store  *calendar.Store
	ttl    time.Duration
	mu     sync.Mutex
	cal    *calendar.Calendar
	loaded time.Time
}

func (w *workingTime) calendar(ctx context.Context) (*calendar.Calendar, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cal != nil && time.Since(w.loaded) < w.ttl {
		return w.cal, nil
	}
	c, err := w.store.Load(ctx)
	if err != nil {
		return nil, err
	}
	w.cal, w.loaded = c, time.Now()
	return c, nil
}

// Deadline implements problem.WorkingTime.
func (w *workingTime) Deadline(ctx context.Context, start time.Time, amount int, unit string) (time.Time, error) {
	u := calendar.Unit(unit)
	if amount <= 0 || !u.Valid() {
		return time.Time{}, apperr.Invalid("problem.category_required")
	}
	c, err := w.calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return c.Deadline(start, amount, u), nil
}

// WorkingHours implements problem.HoursCounter.
func (w *workingTime) WorkingHours(ctx context.Context, from, to time.Time) (float64, error) {
	c, err := w.calendar(ctx)
	if err != nil {
		return 0, err
	}
	return c.WorkingHoursBetween(from, to), nil
}

// categories adapts the catalogue to the ledger and the router.
type categories struct{ store *category.Store }

func (c categories) Category(ctx context.Context, id int64) (problem.CategoryInfo, error) {
	sub, err := c.store.Get(ctx, id)
	if err != nil {
		return problem.CategoryInfo{}, err
	}
	return problem.CategoryInfo{ID: sub.ID, Name: sub.Name, LimitAmount: sub.Limit.Amount, LimitUnit: string(sub.Limit.Unit), Active: sub.Usable()}, nil
}

func (c categories) OwnerRule(ctx context.Context, id int64) (string, error) {
	sub, err := c.store.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return string(sub.Owner), nil
}

// groups lists the usable categories for select boxes.
func (c categories) groups(ctx context.Context) ([]web.CategoryGroup, error) {
	tree, err := c.store.Tree(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []web.CategoryGroup
	for _, top := range tree {
		g := web.CategoryGroup{Name: top.Name}
		for _, sub := range top.Subs {
			if sub.Usable() {
				g.Options = append(g.Options, web.CategoryOption{ID: sub.ID, Name: sub.Name})
			}
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// locator keeps the spatial index of grid and community boundaries. Edits
// made through this server invalidate it at once; the cache notices edits
// made on other servers within its poll interval.
type locator struct {
	cache *geo.Cache
}

// Invalidate makes the next lookup rebuild the index (after grid edits).
func (l *locator) Invalidate() { l.cache.Invalidate() }

func (l *locator) Locate(ctx context.Context, lng, lat float64) (string, bool, error) {
	ix, err := l.cache.Index(ctx)
	if err != nil {
		return "", false, err
	}
	code, ok := ix.Locate(geo.Point{Lng: lng, Lat: lat})
	return code, ok, nil
}

func (l *locator) InChina(lng, lat float64) bool { return geo.InChina(geo.Point{Lng: lng, Lat: lat}) }

// publicLimit allows each client address a few public reports an hour.
// prefix keeps the counts of different pages apart.
type publicLimit struct {
	allow  func(ctx context.Context, key string, limit int, window time.Duration) (bool, error)
	limit  int
	window time.Duration
	prefix string
}

func (p publicLimit) Allow(ctx context.Context, key string) (bool, error) {
	return p.allow(ctx, p.prefix+key, p.limit, p.window)
}

// trackPerHour is how many status pages and their photos one client
// address loads an hour: a handful of reports followed several times a
// day, and a bound on anyone trying tokens.
const trackPerHour = 120
