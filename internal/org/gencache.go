package org

import (
	"context"
	"sync"
)

// GenCache keeps values valid for one generation of the organisation (see
// actorcache.go): read under an older or newer generation, it starts
// again. The actors, the API tokens, the category catalogue and the
// names of categories and units on cases are kept so; each change to what
// they hold counts the generation up in its transaction (Changed). A
// change answers from the tables, not from a cache: its request's
// generation is the one before it.
type GenCache[K comparable, V any] struct {
	mu    sync.Mutex
	gen   string
	max   int // 0: defaultGenCacheMax
	byKey map[K]V
}

// defaultGenCacheMax bounds a cache made without NewGenCache (the zero
// value is ready to use): a city's grids, kept by place, are tens of
// thousands, and an entry is a few dozen bytes.
const defaultGenCacheMax = 50_000

// NewGenCache makes a cache of at most max values; past it, it starts
// again empty.
func NewGenCache[K comparable, V any](max int) *GenCache[K, V] {
	return &GenCache[K, V]{max: max, byKey: map[K]V{}}
}

// Get returns the value kept for k under gen.
func (c *GenCache[K, V]) Get(gen string, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		var zero V
		return zero, false
	}
	v, ok := c.byKey[k]
	return v, ok
}

// Put keeps v for k, read under gen, the generation read before it.
func (c *GenCache[K, V]) Put(gen string, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.max
	if limit == 0 {
		limit = defaultGenCacheMax
	}
	if c.byKey == nil || c.gen != gen || len(c.byKey) >= limit {
		c.gen, c.byKey = gen, map[K]V{}
	}
	c.byKey[k] = v
}

// Load returns the value kept for k under the generation the request read
// (RequestGeneration), or what load returns, kept for the next request of
// that generation. Outside a request, or before it read a generation, it
// only loads.
func (c *GenCache[K, V]) Load(ctx context.Context, k K, load func() (V, error)) (V, error) {
	gen, inRequest := RequestGeneration(ctx)
	if !inRequest {
		return load()
	}
	if v, ok := c.Get(gen, k); ok {
		return v, nil
	}
	v, err := load()
	if err == nil {
		c.Put(gen, k, v)
	}
	return v, err
}

// A request reads the generation once, as it authenticates; the caches it
// consults later in the request take it from the request's context
// (RequestGeneration) rather than reading the row again.

type generationSlotKey struct{}

// generationSlot holds the generation the request read first.
type generationSlot struct {
	mu   sync.Mutex
	gen  string
	read bool
}

// ForRequest returns ctx with room for the generation the request will
// read (the server wraps every request in it).
func ForRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, generationSlotKey{}, &generationSlot{})
}

// RequestGeneration is the generation the request read as it
// authenticated, and false outside a request or before it read one.
func RequestGeneration(ctx context.Context) (string, bool) {
	slot, ok := ctx.Value(generationSlotKey{}).(*generationSlot)
	if !ok {
		return "", false
	}
	slot.mu.Lock()
	defer slot.mu.Unlock()
	return slot.gen, slot.read
}

// keepRequestGeneration records gen as the request's generation, unless
// it read one already.
func keepRequestGeneration(ctx context.Context, gen string) {
	if slot, ok := ctx.Value(generationSlotKey{}).(*generationSlot); ok {
		slot.mu.Lock()
		defer slot.mu.Unlock()
		if !slot.read {
			slot.gen, slot.read = gen, true
		}
	}
}

// RequestAt returns ctx prepared as ForRequest does, with the generation
// read already: for work outside an HTTP request (a command, a test) that
// wants the caches a request uses.
func (s *Store) RequestAt(ctx context.Context) (context.Context, error) {
	rctx := ForRequest(ctx)
	if _, err := s.Generation(rctx); err != nil {
		return ctx, err
	}
	return rctx, nil
}
