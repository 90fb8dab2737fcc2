package framework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// SiteTypeNames returns the name of every site type by code: a few dozen
// rows, read whole for a page of sites.
func SiteTypeNames(ctx context.Context, c db.Conn) (map[string]string, error) {
	rows, err := c.Query(ctx, "SELECT code, name FROM site_type")
	if err != nil {
		return nil, fmt.Errorf("site type names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("site type names: %w", err)
		}
		out[code] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("site type names: %w", err)
	}
	return out, nil
}

// SiteTypeList lists the site types in position order, inactive ones only
// when asked; for callers without a Store.
func SiteTypeList(ctx context.Context, c db.Conn, includeInactive bool) ([]SiteType, error) {
	return (&Store{}).siteTypes(ctx, c, includeInactive)
}

// SiteTypeByCode returns one site type, active or not, and false when no
// type has the code. It takes the caller's transaction.
func SiteTypeByCode(ctx context.Context, c db.Conn, code string) (SiteType, bool, error) {
	t, err := siteType(ctx, c, code)
	if errors.Is(err, apperr.ErrNotFound) {
		return SiteType{}, false, nil
	}
	if err != nil {
		return SiteType{}, false, err
	}
	return t, true, nil
}

// SiteTypeCodeFor returns the code of the site type whose code, else
// name, is v; "" when none.
func SiteTypeCodeFor(ctx context.Context, c db.Conn, v string) (string, error) {
	var code string
	err := c.QueryRow(ctx, "SELECT code FROM site_type WHERE code = ? OR name = ? ORDER BY CASE WHEN code = ? THEN 0 ELSE 1 END LIMIT 1", v, v, v).Scan(&code)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find site type: %w", err)
	}
	return code, nil
}

// VersionNames returns the names of the framework versions with the ids.
func VersionNames(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := db.IDNames(ctx, c, "SELECT id, name FROM framework_version WHERE id IN ("+db.ListMarker+")", ids)
	if err != nil {
		return nil, fmt.Errorf("version names: %w", err)
	}
	return m, nil
}

// VersionRevision returns a framework version's revision, which changes
// with every edit of its tree (callers cache the criteria by it).
func VersionRevision(ctx context.Context, c db.Conn, id int64) (int64, error) {
	var revision int64
	if err := c.QueryRow(ctx, "SELECT revision FROM framework_version WHERE id = ?", id).Scan(&revision); err != nil {
		return 0, fmt.Errorf("framework version %d: %w", id, err)
	}
	return revision, nil
}

// NodeText is a framework node's code and text.
type NodeText struct{ Code, Body string }

// NodeTexts returns the codes and texts of the nodes with the ids.
func NodeTexts(ctx context.Context, c db.Conn, ids []int64) (map[int64]NodeText, error) {
	type row struct {
		id int64
		NodeText
	}
	rows, err := db.CollectIn(ctx, c, "SELECT id, code, body FROM framework_node WHERE id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.Code, &x.Body)
		})
	if err != nil {
		return nil, fmt.Errorf("node texts: %w", err)
	}
	out := make(map[int64]NodeText, len(rows))
	for _, x := range rows {
		out[x.id] = x.NodeText
	}
	return out, nil
}
