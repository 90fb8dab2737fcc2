package merchant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/setting"
)

// Config is the installation's 门前三包 configuration: which case
// categories count against a frontage, and how many flags a group gets.
type Config struct {
	Categories []string `json:"categories"` // sub-category codes
	// RedPerGroup and BlackPerGroup are how many red and black flags each
	// street or site may get a month (at most).
	RedPerGroup   int `json:"red_per_group"`
	BlackPerGroup int `json:"black_per_group"`
	// RedMin is the least score a red flag needs; BlackBelow the score
	// under which a merchant may get a black flag.
	RedMin     float64 `json:"red_min"`
	BlackBelow float64 `json:"black_below"`
}

// DefaultConfig: the built-in categories a shop front answers for — its
// hygiene (暴露垃圾, 乱堆乱放, 道路保洁, 门前三包不落实, 沿街乱晾晒), its
// order (占道经营, 店外经营, 小广告, 乱涂乱画, 招牌, 非机动车乱停放, 市场外溢),
// its greening (绿地脏乱, 毁绿占绿) — one red and one black flag per group.
func DefaultConfig() Config {
	return Config{
		Categories:  []string{"SR01", "SR02", "SR05", "SR06", "SR07", "JM01", "JM02", "JM04", "JM05", "JM07", "JT02", "YL03", "YL04", "SC02"},
		RedPerGroup: 1, BlackPerGroup: 1, RedMin: 90, BlackBelow: 70,
	}
}

const configSetting = "merchant.config"

// Config reads the configuration (the default until one is saved).
func (s *Store) Config(ctx context.Context) (Config, error) {
	v, err := setting.Get(ctx, s.DB, configSetting)
	if errors.Is(err, setting.ErrNotFound) {
		return DefaultConfig(), nil
	}
	if err != nil {
		return Config{}, err
	}
	var c Config
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return Config{}, fmt.Errorf("merchant config: %w", err)
	}
	return c, nil
}

// SaveConfig stores a configuration; the categories must exist.
func (s *Store) SaveConfig(ctx context.Context, a access.Actor, c Config) error {
	if !MayConfigure(a) {
		return apperr.Forbidden("merchant.forbidden")
	}
	known, err := category.CodesAndNames(ctx, s.DB)
	if err != nil {
		return err
	}
	codes := map[string]bool{}
	for _, k := range known {
		codes[k.Code] = true
	}
	var cats []string
	for _, code := range c.Categories {
		code = category.NormalizeCode(code)
		if code == "" {
			continue
		}
		if !codes[code] {
			return apperr.Invalid("merchant.config_category_unknown", code)
		}
		if !slices.Contains(cats, code) {
			cats = append(cats, code)
		}
	}
	if len(cats) == 0 {
		return apperr.Invalid("merchant.config_categories_required")
	}
	c.Categories = cats
	if c.RedPerGroup < 0 || c.RedPerGroup > 20 || c.BlackPerGroup < 0 || c.BlackPerGroup > 20 ||
		c.RedMin < 0 || c.RedMin > 100 || c.BlackBelow < 0 || c.BlackBelow > 100 || c.BlackBelow > c.RedMin {
		return apperr.Invalid("merchant.config_quota_invalid")
	}
	b, _ := json.Marshal(c)
	return setting.Put(ctx, s.DB, configSetting, string(b))
}

// categoryIDs maps the configured codes to category ids.
func (s *Store) categoryIDs(ctx context.Context, c Config) (map[int64]bool, error) {
	known, err := category.CodesAndNames(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, code := range c.Categories {
		want[strings.ToUpper(code)] = true
	}
	out := map[int64]bool{}
	for _, k := range known {
		if want[k.Code] {
			out[k.ID] = true
		}
	}
	return out, nil
}
