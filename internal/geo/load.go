package geo

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// LoadIndex builds an index of every region that has a boundary. A boundary
// that does not parse is left out rather than failing the load — one badly
// drawn grid must not stop every other point from being located — and its
// code is listed by Index.Skipped for the caller to log.
func LoadIndex(ctx context.Context, c db.Conn) (*Index, error) {
	bounds, err := region.Boundaries(ctx, c)
	if err != nil {
		return nil, err
	}
	var (
		areas   []Area
		skipped []string
	)
	for _, b := range bounds {
		shape, err := ParseGeoJSON([]byte(b.GeoJSON))
		if err != nil {
			skipped = append(skipped, b.Code)
			continue
		}
		areas = append(areas, Area{Code: b.Code, Level: int(b.Level), Shape: shape})
	}
	ix := NewIndex(areas)
	slices.Sort(skipped) // rows come in no particular order
	ix.skipped = skipped
	return ix, nil
}

// DefaultPoll is how often a Cache asks the database whether boundaries
// changed: edits made on another server reach this one within it.
const DefaultPoll = time.Second

// Cache keeps the index of the stored boundaries. It rebuilds it when the
// boundaries' revision changes — checked at most once per Poll, on lookup —
// or at once after Invalidate (edits made through this server).
type Cache struct {
	DB   *db.DB
	Poll time.Duration // 0 means DefaultPoll

	mu      sync.Mutex
	index   *Index
	rev     string
	checked time.Time
}

// Index returns the current index, rebuilding it when it is stale.
func (c *Cache) Index(ctx context.Context) (*Index, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	poll := c.Poll
	if poll <= 0 {
		poll = DefaultPoll
	}
	if c.index != nil && time.Since(c.checked) < poll {
		return c.index, nil
	}
	rev, err := region.BoundaryRevision(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	c.checked = time.Now()
	if c.index != nil && rev == c.rev {
		return c.index, nil
	}
	ix, err := LoadIndex(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	c.index, c.rev = ix, rev
	return ix, nil
}

// Invalidate makes the next lookup rebuild the index.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.index = nil
	c.mu.Unlock()
}
