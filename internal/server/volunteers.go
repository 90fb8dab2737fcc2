package server

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// newVolunteers builds the volunteer store. Without a data key the server
// still starts, says once which features are off, and those features
// refuse with the same words: nothing is derived or stored unsealed.
func newVolunteers(cfg config.Config, d *db.DB, regions *region.Store, log *slog.Logger) (*volunteer.Store, error) {
	stars, err := config.ParseStars(cfg.VolunteerStars)
	if err != nil {
		return nil, fmt.Errorf("volunteer-stars: %w", err)
	}
	s := &volunteer.Store{DB: d, Now: time.Now, Stars: stars, Margin: cfg.CheckinMargin, Regions: regions}
	if cfg.DataKey == "" {
		log.Warn("data-key (WENMING_DATA_KEY) is not set: registering volunteers (one by one, by XLSX import, by the public sign-up) is disabled until it is; lists, activities, check-ins and hours work")
		return s, nil
	}
	if s.Key, err = pii.ParseKey(cfg.DataKey); err != nil {
		return nil, fmt.Errorf("data-key: %w", err)
	}
	return s, nil
}
