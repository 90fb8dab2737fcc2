package holder

import (
	"context"
	"fmt"
	"strconv"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/problem"
)

// CaseRed tells the holders of a case's place that it escalated to red:
// a notice in the app and a text message to each holder with a phone,
// once per case. The server sets it as problem.Store.OnRed; it runs in
// the escalation's transaction.
func (s *Store) CaseRed(ctx context.Context, tx db.Conn, c *problem.Case) error {
	hs, err := s.holdersAt(ctx, tx, c.RegionCode, c.SiteID, geo.Point{Lng: c.Lng, Lat: c.Lat}, c.HasPlace)
	if err != nil || len(hs) == 0 {
		return err
	}
	deadline := c.Deadline.In(calendar.Shanghai()).Format("2006-01-02 15:04")
	return s.tell(ctx, tx, hs, "holder_red", c.ID, fmt.Sprintf("holder-red:%d", c.ID), func(h Holder) []string {
		return []string{h.Title, c.Code, deadline}
	})
}

// SiteScored tells the holders of a site that an inspection scored below
// the threshold. The server sets it as inspect.Store.Scored.
func (s *Store) SiteScored(ctx context.Context, sc inspect.ScoredSite) error {
	if sc.Rate >= s.threshold() {
		return nil
	}
	hs, err := s.holdersAt(ctx, s.DB, sc.RegionCode, sc.SiteID, geo.Point{}, false)
	if err != nil || len(hs) == 0 {
		return err
	}
	score := strconv.FormatFloat(sc.Rate*100, 'f', 1, 64)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		return s.tell(ctx, tx, hs, "holder_low_score", 0, fmt.Sprintf("holder-score:%d", sc.InspectionID), func(h Holder) []string {
			return []string{h.Title, sc.SiteName, score}
		})
	})
}

func (s *Store) tell(ctx context.Context, c db.Conn, hs []Holder, kind string, problemID int64, dedupe string, args func(Holder) []string) error {
	users := make([]int64, 0, len(hs))
	for _, h := range hs {
		users = append(users, h.UserID)
	}
	contacts, err := org.UserContacts(ctx, c, users)
	if err != nil {
		return err
	}
	now := s.Clock()
	for _, h := range hs {
		key := fmt.Sprintf("%s:h%d", dedupe, h.ID)
		if err := notice.Add(ctx, c, notice.Message{Users: []int64{h.UserID}, ProblemID: problemID, Kind: kind, Args: args(h),
			Dedupe: key, At: now}); err != nil {
			return fmt.Errorf("holder notice: %w", err)
		}
		to, ok := contacts[h.UserID]
		if !ok || to.Phone == "" {
			continue
		}
		if err := outbox.Queue(ctx, c, outbox.Queued{Channel: "sms", ToName: to.Name, ToPhone: to.Phone, Kind: kind, Args: args(h),
			DedupeKey: key, At: now}); err != nil {
			return fmt.Errorf("holder message: %w", err)
		}
	}
	return nil
}
