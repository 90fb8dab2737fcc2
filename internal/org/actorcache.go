package org

import (
	"context"
	"errors"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/setting"
)

// Every request authenticates its user: loading the actor (user, unit,
// roles, unit path) took several queries per request. The actors are kept
// in memory instead, valid for one generation of the organisation: every
// change to users, roles or units counts the generation up in the same
// transaction, and each request reads the generation (one indexed row),
// so a disabled user or a changed role takes effect at once on every
// server of the installation.

// settingGeneration names the organisation's generation counter.
const settingGeneration = setting.ReferenceGeneration

// maxCachedActors bounds the cache; past it, it starts again empty.
const maxCachedActors = 10_000

type cachedActor struct {
	actor      access.Actor
	mustChange bool
}

// generation reads the organisation's generation ("" before any change).
func generation(ctx context.Context, c db.Conn) (string, error) {
	g, err := setting.Get(ctx, c, settingGeneration)
	if errors.Is(err, setting.ErrNotFound) {
		g, err = "", nil
	}
	if err == nil {
		keepRequestGeneration(ctx, g)
	}
	return g, err
}

// changed counts the generation up, in the transaction of a change to
// users, roles or units.
func changed(ctx context.Context, tx *db.Tx) error { return setting.ReferenceChanged(ctx, tx) }

// Generation reads the organisation's generation: what the caches of who
// may do what (actors here, API tokens in auth) and the category
// catalogue are valid for.
func (s *Store) Generation(ctx context.Context) (string, error) { return generation(ctx, s.DB) }

// Changed counts the generation up in the transaction of a change made
// outside this package that such a cache must see at once on every
// server: a revoked API token, a changed category. (Region names are
// counted up by the region package itself: it lies below this one.)
func Changed(ctx context.Context, tx *db.Tx) error { return changed(ctx, tx) }
