package framework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
)

// Store keeps the framework versions and the site types. Reading needs no
// actor; writing is for the office and administrators.
type Store struct {
	DB  *db.DB
	Now func() time.Time // nil: the system clock
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ---- versions ----

const versionColumns = `v.id, v.name, v.note, v.is_sample, v.active, v.source, v.source_detail, v.created_at,
	v.created_by, v.updated_at, v.activated_at`

func scanVersion(sc interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var created, updated int64
	var by, activated sql.NullInt64
	err := sc.Scan(&v.ID, &v.Name, &v.Note, &v.IsSample, &v.Active, &v.Source, &v.SourceDetail, &created, &by, &updated, &activated)
	v.CreatedAt, v.UpdatedAt, v.ActivatedAt = db.FromMillis(created), db.FromMillis(updated), db.FromNullMillis(activated)
	v.CreatedBy = by.Int64
	return v, err
}

// Versions lists every version, the active one first, then the newest
// first, with the number of nodes of each level (no tree).
func (s *Store) Versions(ctx context.Context, a access.Actor) ([]Version, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+versionColumns+" FROM framework_version v ORDER BY v.active DESC, v.id DESC")
	if err != nil {
		return nil, fmt.Errorf("list framework versions: %w", err)
	}
	var out []Version
	index := map[int64]int{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan framework version: %w", err)
		}
		index[v.ID] = len(out)
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list framework versions: %w", err)
	}
	rows, err = s.DB.Query(ctx, "SELECT version_id, level, COUNT(*) FROM framework_node GROUP BY version_id, level")
	if err != nil {
		return nil, fmt.Errorf("count framework nodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var level, n int
		if err := rows.Scan(&id, &level, &n); err != nil {
			return nil, fmt.Errorf("count framework nodes: %w", err)
		}
		if i, ok := index[id]; ok && Level(level).Valid() {
			out[i].Counts[level] = n
		}
	}
	return out, rows.Err()
}

// Version returns a version with its whole tree.
func (s *Store) Version(ctx context.Context, a access.Actor, id int64) (Version, error) {
	if err := mayView(a); err != nil {
		return Version{}, err
	}
	return s.tree(ctx, id)
}

func (s *Store) tree(ctx context.Context, id int64) (Version, error) {
	v, err := s.version(ctx, s.DB, id)
	if err != nil {
		return Version{}, err
	}
	if err := s.loadTree(ctx, s.DB, &v); err != nil {
		return Version{}, err
	}
	return v, nil
}

// VersionInfo returns a version without its tree or counts.
func (s *Store) VersionInfo(ctx context.Context, a access.Actor, id int64) (Version, error) {
	if err := mayView(a); err != nil {
		return Version{}, err
	}
	return s.version(ctx, s.DB, id)
}

// ActiveVersion returns the active version with its tree; a not-found
// error when no version is active.
func (s *Store) ActiveVersion(ctx context.Context) (Version, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM framework_version WHERE active").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, apperr.NotFound("framework.no_active")
	}
	if err != nil {
		return Version{}, fmt.Errorf("read active framework version: %w", err)
	}
	return s.tree(ctx, id)
}

func (s *Store) version(ctx context.Context, c db.Conn, id int64) (Version, error) {
	v, err := scanVersion(c.QueryRow(ctx, "SELECT "+versionColumns+" FROM framework_version v WHERE v.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, apperr.NotFound("framework.version_not_found")
	}
	if err != nil {
		return Version{}, fmt.Errorf("read framework version %d: %w", id, err)
	}
	return v, nil
}

// loadTree reads the nodes of v into v.Items and v.Counts.
func (s *Store) loadTree(ctx context.Context, c db.Conn, v *Version) error {
	nodes, err := s.nodes(ctx, c, "n.version_id = ?", v.ID)
	if err != nil {
		return err
	}
	v.Items, v.Counts = nil, [5]int{}
	byID := make(map[int64]*Node, len(nodes))
	for _, n := range nodes {
		byID[n.ID] = n
	}
	// nodes come in level then position order, so parents are placed
	// before their children and siblings keep their order.
	for _, n := range nodes {
		v.Counts[n.Level]++
		if n.ParentID == 0 {
			v.Items = append(v.Items, n)
			continue
		}
		if p, ok := byID[n.ParentID]; ok {
			p.Children = append(p.Children, n)
		}
	}
	return nil
}

const nodeColumns = `n.id, n.version_id, n.parent_id, n.level, n.code, n.body, n.position, n.methods, n.score`

func scanNode(sc interface{ Scan(...any) error }) (*Node, error) {
	n := &Node{}
	var parent sql.NullInt64
	var score sql.NullFloat64
	var methods string
	if err := sc.Scan(&n.ID, &n.VersionID, &parent, &n.Level, &n.Code, &n.Text, &n.Position, &methods, &score); err != nil {
		return nil, err
	}
	n.ParentID = parent.Int64
	if score.Valid {
		x := score.Float64
		n.Score = &x
	}
	for _, m := range strings.Split(methods, ",") {
		if m != "" {
			n.Methods = append(n.Methods, Method(m))
		}
	}
	return n, nil
}

// nodes reads the nodes matching where (on alias n) in level, position
// order, with the site types and categories of the criteria among them.
func (s *Store) nodes(ctx context.Context, c db.Conn, where string, args ...any) ([]*Node, error) {
	rows, err := c.Query(ctx, "SELECT "+nodeColumns+" FROM framework_node n WHERE "+where+" ORDER BY n.level, n.position, n.id", args...)
	if err != nil {
		return nil, fmt.Errorf("read framework nodes: %w", err)
	}
	var out []*Node
	byID := map[int64]*Node{}
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan framework node: %w", err)
		}
		out = append(out, n)
		byID[n.ID] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read framework nodes: %w", err)
	}
	if err := s.attach(ctx, c, byID, where, args); err != nil {
		return nil, err
	}
	return out, nil
}

// attach fills the site types and categories of the criteria in byID,
// which are the nodes matching where.
func (s *Store) attach(ctx context.Context, c db.Conn, byID map[int64]*Node, where string, args []any) error {
	if len(byID) == 0 {
		return nil
	}
	sub := "SELECT n.id FROM framework_node n WHERE " + where + " AND n.level = 4"
	rows, err := c.Query(ctx, `SELECT x.node_id, x.site_type FROM framework_criterion_site_type x
		JOIN site_type t ON t.code = x.site_type
		WHERE x.node_id IN (`+sub+`) ORDER BY x.node_id, t.position, t.code`, args...)
	if err != nil {
		return fmt.Errorf("read criterion site types: %w", err)
	}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			rows.Close()
			return fmt.Errorf("read criterion site types: %w", err)
		}
		if n, ok := byID[id]; ok {
			n.SiteTypes = append(n.SiteTypes, code)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read criterion site types: %w", err)
	}
	rows, err = c.Query(ctx, `SELECT x.node_id, x.category_code FROM framework_criterion_category x
		WHERE x.node_id IN (`+sub+`) ORDER BY x.node_id, x.category_code`, args...)
	if err != nil {
		return fmt.Errorf("read criterion categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return fmt.Errorf("read criterion categories: %w", err)
		}
		if n, ok := byID[id]; ok {
			n.Categories = append(n.Categories, code)
		}
	}
	return rows.Err()
}

// CreateVersion adds a version, empty or as a copy of in.CopyOf. The new
// version is not active.
func (s *Store) CreateVersion(ctx context.Context, a access.Actor, in VersionInput) (Version, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return Version{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Version{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		source, detail := SourceEmpty, ""
		var from Version
		if in.CopyOf != 0 {
			var err error
			if from, err = s.version(ctx, tx, in.CopyOf); err != nil {
				return err
			}
			if err := s.loadTree(ctx, tx, &from); err != nil {
				return err
			}
			source, detail = SourceCopy, from.Name
		}
		var err error
		if id, err = s.insertVersion(ctx, tx, a, in.Name, in.Note, false, source, detail); err != nil {
			return err
		}
		return insertTree(ctx, tx, id, from.Items)
	})
	if err != nil {
		return Version{}, err
	}
	return s.tree(ctx, id)
}

func (s *Store) insertVersion(ctx context.Context, tx *db.Tx, a access.Actor, name, note string, sample bool, source, detail string) (int64, error) {
	now := db.Millis(s.now())
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO framework_version (name, note, is_sample, active, source, source_detail,
		created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		name, note, sample, false, source, detail, now, actorID(a), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert framework version: %w", err)
	}
	return id, nil
}

// actorID is the user to record, NULL for the system.
func actorID(a access.Actor) sql.NullInt64 {
	if a.UserID <= 0 {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: a.UserID, Valid: true}
}

// insertTree writes nodes (a tree whose IDs are ignored) under version id,
// keeping the order of siblings as their positions.
func insertTree(ctx context.Context, tx *db.Tx, versionID int64, items []*Node) error {
	var insert func(parent int64, ns []*Node) error
	insert = func(parent int64, ns []*Node) error {
		for i, n := range ns {
			id, err := insertNode(ctx, tx, versionID, parent, i+1, n)
			if err != nil {
				return err
			}
			if err := insert(id, n.Children); err != nil {
				return err
			}
		}
		return nil
	}
	return insert(0, items)
}

func insertNode(ctx context.Context, tx *db.Tx, versionID, parent int64, position int, n *Node) (int64, error) {
	var parentID sql.NullInt64
	if parent != 0 {
		parentID = sql.NullInt64{Int64: parent, Valid: true}
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO framework_node (version_id, parent_id, level, code, body, position, methods, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		versionID, parentID, int(n.Level), n.Code, n.Text, position, joinMethods(n.Methods), nullScore(n.Score)).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.Conflict("framework.code_taken", n.Code)
	}
	if err != nil {
		return 0, fmt.Errorf("insert framework node %s: %w", n.Code, err)
	}
	if err := insertLinks(ctx, tx, id, n.SiteTypes, n.Categories); err != nil {
		return 0, err
	}
	return id, nil
}

// writeLinks replaces the site types and categories of criterion id.
func writeLinks(ctx context.Context, tx *db.Tx, id int64, siteTypes, categories []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM framework_criterion_site_type WHERE node_id = ?", id); err != nil {
		return fmt.Errorf("clear criterion site types: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM framework_criterion_category WHERE node_id = ?", id); err != nil {
		return fmt.Errorf("clear criterion categories: %w", err)
	}
	return insertLinks(ctx, tx, id, siteTypes, categories)
}

// insertLinks adds the site types and categories of a new criterion.
func insertLinks(ctx context.Context, tx *db.Tx, id int64, siteTypes, categories []string) error {
	for _, t := range siteTypes {
		if _, err := tx.Exec(ctx, "INSERT INTO framework_criterion_site_type (node_id, site_type) VALUES (?, ?)", id, t); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.Invalid("framework.site_type_unknown", t)
			}
			return fmt.Errorf("insert criterion site type: %w", err)
		}
	}
	for _, c := range categories {
		if _, err := tx.Exec(ctx, "INSERT INTO framework_criterion_category (node_id, category_code) VALUES (?, ?)", id, c); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.Invalid("framework.category_unknown", c)
			}
			return fmt.Errorf("insert criterion category: %w", err)
		}
	}
	return nil
}

func joinMethods(ms []Method) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

func nullScore(x *float64) sql.NullFloat64 {
	if x == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *x, Valid: true}
}

// UpdateVersion changes a version's name and note.
func (s *Store) UpdateVersion(ctx context.Context, a access.Actor, id int64, name, note string) (Version, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return Version{}, err
	}
	in := VersionInput{Name: name, Note: note}
	in.normalize()
	if err := in.validate(); err != nil {
		return Version{}, err
	}
	res, err := s.DB.Exec(ctx, "UPDATE framework_version SET name = ?, note = ?, updated_at = ? WHERE id = ?",
		in.Name, in.Note, db.Millis(s.now()), id)
	if err != nil {
		return Version{}, fmt.Errorf("update framework version %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return Version{}, apperr.NotFound("framework.version_not_found")
	}
	return s.version(ctx, s.DB, id)
}

// Activate makes version id the active one; the version active before is
// switched off in the same transaction, so there is never more than one.
func (s *Store) Activate(ctx context.Context, a access.Actor, id int64) error {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return s.activate(ctx, tx, id) })
}

func (s *Store) activate(ctx context.Context, tx *db.Tx, id int64) error {
	v, err := s.version(ctx, tx, id)
	if err != nil {
		return err
	}
	if v.Active {
		return nil
	}
	now := db.Millis(s.now())
	if _, err := tx.Exec(ctx, "UPDATE framework_version SET active = ?, updated_at = ? WHERE active", false, now); err != nil {
		return fmt.Errorf("deactivate framework versions: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE framework_version SET active = ?, activated_at = ?, updated_at = ? WHERE id = ?",
		true, now, now, id); err != nil {
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("framework.activate_conflict")
		}
		return fmt.Errorf("activate framework version %d: %w", id, err)
	}
	return nil
}

// DeleteVersion removes a version and its tree. The active version cannot
// be deleted (activate another first), nor one that records refer to.
func (s *Store) DeleteVersion(ctx context.Context, a access.Actor, id int64) error {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.version(ctx, tx, id)
		if err != nil {
			return err
		}
		if v.Active {
			return apperr.Conflict("framework.delete_active")
		}
		// Children before parents, so that the deletes do not depend on
		// cascading along parent_id.
		for level := LevelCriterion; level >= LevelItem; level-- {
			if err := deleteLinks(ctx, tx, "version_id = ? AND level = ?", id, int(level)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM framework_node WHERE version_id = ? AND level = ?", id, int(level)); err != nil {
				if db.IsForeignKeyViolation(err) {
					return apperr.Conflict("framework.version_in_use")
				}
				return fmt.Errorf("delete framework nodes: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM framework_version WHERE id = ?", id); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.Conflict("framework.version_in_use")
			}
			return fmt.Errorf("delete framework version %d: %w", id, err)
		}
		return nil
	})
}

func deleteLinks(ctx context.Context, tx *db.Tx, where string, args ...any) error {
	sub := "SELECT id FROM framework_node WHERE " + where
	if _, err := tx.Exec(ctx, "DELETE FROM framework_criterion_site_type WHERE node_id IN ("+sub+")", args...); err != nil {
		return fmt.Errorf("delete criterion site types: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM framework_criterion_category WHERE node_id IN ("+sub+")", args...); err != nil {
		return fmt.Errorf("delete criterion categories: %w", err)
	}
	return nil
}

func (s *Store) touch(ctx context.Context, tx *db.Tx, versionID int64) error {
	if _, err := tx.Exec(ctx, "UPDATE framework_version SET updated_at = ?, revision = revision + 1 WHERE id = ?", db.Millis(s.now()), versionID); err != nil {
		return fmt.Errorf("touch framework version %d: %w", versionID, err)
	}
	return nil
}

// ---- nodes ----

// Node returns one node, with its site types and categories but without
// children.
func (s *Store) Node(ctx context.Context, a access.Actor, id int64) (Node, error) {
	if err := mayView(a); err != nil {
		return Node{}, err
	}
	return s.node(ctx, s.DB, "n.id = ?", id)
}

// EditNode returns a node to edit (id 0: none, for a new one) to someone
// who may change the framework.
func (s *Store) EditNode(ctx context.Context, a access.Actor, id int64) (Node, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil || id == 0 {
		return Node{}, err
	}
	return s.node(ctx, s.DB, "n.id = ?", id)
}

// NodeByCode returns the node of a version with the given code.
func (s *Store) NodeByCode(ctx context.Context, versionID int64, code string) (Node, error) {
	return s.node(ctx, s.DB, "n.version_id = ? AND n.code = ?", versionID, strings.TrimSpace(code))
}

func (s *Store) node(ctx context.Context, c db.Conn, where string, args ...any) (Node, error) {
	ns, err := s.nodes(ctx, c, where, args...)
	if err != nil {
		return Node{}, err
	}
	if len(ns) == 0 {
		return Node{}, apperr.NotFound("framework.node_not_found")
	}
	return *ns[0], nil
}

// CreateNode adds a node to a version: an item when in.ParentID is 0,
// else a child of that node, one level below it.
func (s *Store) CreateNode(ctx context.Context, a access.Actor, versionID int64, in NodeInput) (Node, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return Node{}, err
	}
	in.normalize()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.version(ctx, tx, versionID); err != nil {
			return err
		}
		level := LevelItem
		if in.ParentID != 0 {
			p, err := s.node(ctx, tx, "n.id = ? AND n.version_id = ?", in.ParentID, versionID)
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("framework.parent_unknown")
			}
			if err != nil {
				return err
			}
			if p.Level == LevelCriterion {
				return apperr.Invalid("framework.criterion_no_children")
			}
			level = p.Level + 1
		}
		if err := in.validate(level); err != nil {
			return err
		}
		if err := s.checkLinks(ctx, tx, in.SiteTypes, in.Categories); err != nil {
			return err
		}
		if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM framework_node WHERE version_id = ? AND code = ?", versionID, in.Code); err != nil || taken {
			return firstErr(err, apperr.Conflict("framework.code_taken", in.Code))
		}
		pos := in.Position
		if pos == 0 {
			var err error
			if pos, err = nextPosition(ctx, tx, versionID, in.ParentID); err != nil {
				return err
			}
		}
		n := &Node{Level: level, Code: in.Code, Text: in.Text, Methods: in.Methods, Score: in.Score,
			SiteTypes: in.SiteTypes, Categories: in.Categories}
		var err error
		if id, err = insertNode(ctx, tx, versionID, in.ParentID, pos, n); err != nil {
			return err
		}
		return s.touch(ctx, tx, versionID)
	})
	if err != nil {
		return Node{}, err
	}
	return s.node(ctx, s.DB, "n.id = ?", id)
}

// UpdateNode changes a node's code, text and position, and a criterion's
// methods, score, site types and categories. Its parent and level stay.
func (s *Store) UpdateNode(ctx context.Context, a access.Actor, id int64, in NodeInput) (Node, error) {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return Node{}, err
	}
	in.normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.node(ctx, tx, "n.id = ?", id)
		if err != nil {
			return err
		}
		if err := in.validate(cur.Level); err != nil {
			return err
		}
		if err := s.checkLinks(ctx, tx, in.SiteTypes, in.Categories); err != nil {
			return err
		}
		if in.Code != cur.Code {
			if taken, err := exists(ctx, tx, "SELECT COUNT(*) FROM framework_node WHERE version_id = ? AND code = ?", cur.VersionID, in.Code); err != nil || taken {
				return firstErr(err, apperr.Conflict("framework.code_taken", in.Code))
			}
		}
		if in.Position == 0 {
			in.Position = cur.Position
		}
		_, err = tx.Exec(ctx, "UPDATE framework_node SET code = ?, body = ?, position = ?, methods = ?, score = ? WHERE id = ?",
			in.Code, in.Text, in.Position, joinMethods(in.Methods), nullScore(in.Score), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("framework.code_taken", in.Code)
		}
		if err != nil {
			return fmt.Errorf("update framework node %d: %w", id, err)
		}
		if cur.Level == LevelCriterion {
			if err := writeLinks(ctx, tx, id, in.SiteTypes, in.Categories); err != nil {
				return err
			}
		}
		return s.touch(ctx, tx, cur.VersionID)
	})
	if err != nil {
		return Node{}, err
	}
	return s.node(ctx, s.DB, "n.id = ?", id)
}

// DeleteNode removes a node and everything below it.
func (s *Store) DeleteNode(ctx context.Context, a access.Actor, id int64) error {
	if err := mayChange(a, "framework.forbidden"); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		cur, err := s.node(ctx, tx, "n.id = ?", id)
		if err != nil {
			return err
		}
		// The subtree, level by level from the node down.
		ids := []int64{id}
		levels := [][]int64{ids}
		for l := cur.Level; l < LevelCriterion && len(ids) > 0; l++ {
			rows, err := tx.Query(ctx, "SELECT id FROM framework_node WHERE parent_id IN ("+db.Placeholders(len(ids))+")", int64Args(ids)...)
			if err != nil {
				return fmt.Errorf("read framework subtree: %w", err)
			}
			var next []int64
			for rows.Next() {
				var x int64
				if err := rows.Scan(&x); err != nil {
					rows.Close()
					return fmt.Errorf("read framework subtree: %w", err)
				}
				next = append(next, x)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read framework subtree: %w", err)
			}
			ids = next
			levels = append(levels, next)
		}
		for i := len(levels) - 1; i >= 0; i-- {
			for chunk := range slices.Chunk(levels[i], 500) {
				ph, args := db.Placeholders(len(chunk)), int64Args(chunk)
				if err := deleteLinks(ctx, tx, "id IN ("+ph+")", args...); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "DELETE FROM framework_node WHERE id IN ("+ph+")", args...); err != nil {
					if db.IsForeignKeyViolation(err) {
						return apperr.Conflict("framework.node_in_use")
					}
					return fmt.Errorf("delete framework nodes: %w", err)
				}
			}
		}
		return s.touch(ctx, tx, cur.VersionID)
	})
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, x := range ids {
		out[i] = x
	}
	return out
}

// checkLinks refuses unknown site types and problem categories.
func (s *Store) checkLinks(ctx context.Context, c db.Conn, siteTypes, categories []string) error {
	for _, t := range siteTypes {
		if ok, err := exists(ctx, c, "SELECT COUNT(*) FROM site_type WHERE code = ?", t); err != nil || !ok {
			return firstErr(err, apperr.Invalid("framework.site_type_unknown", t))
		}
	}
	for _, code := range categories {
		if ok, err := category.CodeExists(ctx, c, code); err != nil || !ok {
			return firstErr(err, apperr.Invalid("framework.category_unknown", code))
		}
	}
	return nil
}

func nextPosition(ctx context.Context, c db.Conn, versionID, parent int64) (int, error) {
	q := "SELECT COALESCE(MAX(position), 0) + 1 FROM framework_node WHERE version_id = ? AND parent_id = ?"
	args := []any{versionID, parent}
	if parent == 0 {
		q, args = "SELECT COALESCE(MAX(position), 0) + 1 FROM framework_node WHERE version_id = ? AND parent_id IS NULL", []any{versionID}
	}
	var pos int
	if err := c.QueryRow(ctx, q, args...).Scan(&pos); err != nil {
		return 0, fmt.Errorf("next framework position: %w", err)
	}
	return pos, nil
}

// ---- the checklist ----

// Criteria returns the criteria of a version that apply to a site type,
// in tree order, each with its item, indicator and content. An empty
// siteType returns every criterion of the version.
func (s *Store) Criteria(ctx context.Context, versionID int64, siteType string) ([]Criterion, error) {
	where, args := "c.version_id = ? AND c.level = 4", []any{versionID}
	if siteType = strings.TrimSpace(siteType); siteType != "" {
		where += " AND EXISTS (SELECT 1 FROM framework_criterion_site_type x WHERE x.node_id = c.id AND x.site_type = ?)"
		args = append(args, siteType)
	}
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.version_id, c.parent_id, c.level, c.code, c.body, c.position, c.methods, c.score,
			it.id, it.code, it.body, ind.id, ind.code, ind.body, ct.id, ct.code, ct.body
		FROM framework_node c
		JOIN framework_node ct ON ct.id = c.parent_id
		JOIN framework_node ind ON ind.id = ct.parent_id
		JOIN framework_node it ON it.id = ind.parent_id
		WHERE `+where+`
		ORDER BY it.position, it.id, ind.position, ind.id, ct.position, ct.id, c.position, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read criteria: %w", err)
	}
	var out []Criterion
	for rows.Next() {
		var cr Criterion
		var parent sql.NullInt64
		var score sql.NullFloat64
		var methods string
		if err := rows.Scan(&cr.ID, &cr.VersionID, &parent, &cr.Level, &cr.Code, &cr.Text, &cr.Position, &methods, &score,
			&cr.Item.ID, &cr.Item.Code, &cr.Item.Text, &cr.Indicator.ID, &cr.Indicator.Code, &cr.Indicator.Text,
			&cr.Content.ID, &cr.Content.Code, &cr.Content.Text); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan criterion: %w", err)
		}
		cr.ParentID = parent.Int64
		if score.Valid {
			x := score.Float64
			cr.Score = &x
		}
		for _, m := range strings.Split(methods, ",") {
			if m != "" {
				cr.Methods = append(cr.Methods, Method(m))
			}
		}
		out = append(out, cr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read criteria: %w", err)
	}
	byID := make(map[int64]*Node, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i].Node
	}
	if err := s.attach(ctx, s.DB, byID, "n.version_id = ?", []any{versionID}); err != nil {
		return nil, err
	}
	return out, nil
}

// ---- helpers ----

func exists(ctx context.Context, c db.Conn, q string, args ...any) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("check %q: %w", q, err)
	}
	return n > 0, nil
}

// firstErr returns err when there is one, else the domain error.
func firstErr(err error, domain error) error {
	if err != nil {
		return err
	}
	return domain
}
