package region

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// Outline is a region's drawn boundary with its name, for the maps' base
// layer.
type Outline struct {
	Code    string
	Name    string
	Level   Level
	GeoJSON string
}

// Outlines lists the regions down to level deepest that have a boundary,
// in code order. Division names and limits are public: the maps draw them
// for everyone, the public form included.
func Outlines(ctx context.Context, c db.Conn, deepest Level) ([]Outline, error) {
	rows, err := c.Query(ctx, `SELECT code, name, level, boundary FROM region WHERE boundary IS NOT NULL AND level <= ? ORDER BY code`, int(deepest))
	if err != nil {
		return nil, fmt.Errorf("region outlines: %w", err)
	}
	defer rows.Close()
	var out []Outline
	for rows.Next() {
		var o Outline
		if err := rows.Scan(&o.Code, &o.Name, &o.Level, &o.GeoJSON); err != nil {
			return nil, fmt.Errorf("region outlines: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("region outlines: %w", err)
	}
	return out, nil
}

// Roots are the regions with a boundary whose parent has none: where the
// deployment's own map begins (the demo's district).
func Roots(ctx context.Context, c db.Conn) ([]Region, error) {
	rows, err := c.Query(ctx, `SELECT `+regionCols+` FROM region r WHERE r.boundary IS NOT NULL AND r.level < ? AND NOT EXISTS
		(SELECT 1 FROM region p WHERE p.code = r.parent_code AND p.boundary IS NOT NULL) ORDER BY r.code LIMIT 50`, int(Grid))
	if err != nil {
		return nil, fmt.Errorf("region roots: %w", err)
	}
	list, err := collect(rows)
	if err != nil {
		return nil, fmt.Errorf("region roots: %w", err)
	}
	return list, nil
}
