// Package merchant keeps the merchants (商户) along a city's streets and in
// its markets, the 门前三包 / 五包 responsibility each signs for (the
// frontage it answers for — a line, an area or a radius around its place —
// the duties and the signed commitment, 责任书), the ledger's cases linked to
// a frontage, and the monthly rotating red and black flags (流动红旗) the
// office confirms from a computed proposal.
//
// It owns the merchant* tables. Cases are read through problem's typed API
// (FiledPlaced, Facts), sites through site's, inspection scores through
// inspect's; the ledger does not know merchants exist: a job links the
// cases filed since a watermark (LinkNew), and Backfill links them all.
//
// Who may do what: administrators everywhere and the office (创文办) in its
// jurisdiction keep merchants and confirm flags; leaders read their
// jurisdiction; a street's or community's staff (handlers) and inspectors
// read the merchants of their unit's area. The operator's name and phone
// are shown masked except to those who keep the merchant and to the
// territorial staff who call on it. Anyone may look up a merchant's current
// flag and 诚信 title on the public page; nothing personal is shown there.
package merchant

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// Locator finds the smallest region containing a WGS-84 point: the
// server's cached grid index, as the ledger and the sites use it.
type Locator interface {
	Locate(ctx context.Context, lng, lat float64) (code string, ok bool, err error)
}

// TitleSource gives a merchant's current 诚信 title (诚信商户 …) from the
// selections; nil shows none. The lead wires the selection package here.
type TitleSource interface {
	// Title returns the title's name, or "" when the merchant holds none.
	Title(ctx context.Context, merchantID int64) (string, error)
}

// Store keeps merchants, their links to the ledger and their flags.
type Store struct {
	DB       *db.DB
	Problems *problem.Store
	Sites    *site.Store
	Locator  Locator
	// SiteScores gives the published inspection score rates (0–1) of the
	// month; nil reads them through inspect.PublishedScores.
	SiteScores func(ctx context.Context, from, to time.Time) ([]inspect.PublishedScore, error)
	// Titles gives the 诚信 titles on the merchant page and the public
	// lookup; nil shows none.
	Titles TitleSource
	Now    func() time.Time

	mu    sync.Mutex
	index *Index
	rev   string
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Bounds of the fields.
const (
	MaxNameLen    = 100
	MaxAddressLen = 200
	MaxReasonLen  = 500
	// MaxFrontageMeters bounds a radius or a line's half-width.
	MaxFrontageMeters = 200.0
	// DefaultRadius is the frontage of a merchant that drew none: 10 m
	// around its place, the depth of a typical 门前三包 strip.
	DefaultRadius = 10.0
	// DefaultHalfWidth is how far either side of a drawn line its
	// frontage reaches when no width is given.
	DefaultHalfWidth = 5.0
)

// Duties are the built-in duty codes of 门前三包 and 五包, in display order.
// 三包: 卫生 (hygiene), 秩序 (order), 绿化 (greening); 五包 adds 设施
// (facilities) and 市容 (appearance).
func Duties() []string { return []string{"hygiene", "order", "greening", "facilities", "appearance"} }

// DutyKey is the catalogue key of a duty's name.
func DutyKey(d string) string { return "merchant.duty." + d }

func validDuty(d string) bool {
	for _, x := range Duties() {
		if x == d {
			return true
		}
	}
	return false
}

// Merchant is one merchant with its responsibility.
type Merchant struct {
	ID            int64
	Name          string
	CreditCode    string // "" for an individual stall
	BusinessType  string
	Address       string
	Lng, Lat      float64
	RegionCode    string
	RegionName    string
	StreetCode    string
	StreetName    string
	CommunityCode string
	CommunityName string
	SiteID        int64
	SiteName      string
	SiteType      string
	Operator      string // masked unless CanSeeContact
	Phone         string // masked unless CanSeeContact
	Masked        bool   // Operator and Phone are masked
	Frontage      Frontage
	Duties        []string
	CommitmentKey string // media key of the signed 责任书: "photo:<hash>"
	CommitmentOn  string // YYYY-MM-DD
	Active        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// Signed reports whether the merchant's commitment is on file.
func (m Merchant) Signed() bool { return m.CommitmentKey != "" }

// CommitmentPhoto is the photo hash of the commitment, when it is a photo.
func (m Merchant) CommitmentPhoto() string {
	if h, ok := strings.CutPrefix(m.CommitmentKey, photoKeyPrefix); ok {
		return h
	}
	return ""
}

// photoKeyPrefix marks a media key that names a photo (media.Service); a
// later generic file facility adds its own scheme.
const photoKeyPrefix = "photo:"

// PhotoKey is the media key of a photo by its hash.
func PhotoKey(hash string) string { return photoKeyPrefix + hash }

// Group is where a merchant's flag is contested: its site (商业大街, 集贸市场)
// when it belongs to one, else its street (街道).
func (m Merchant) Group() GroupKey {
	if m.SiteID != 0 {
		return GroupKey{Kind: GroupSite, Code: itoa(m.SiteID)}
	}
	return GroupKey{Kind: GroupStreet, Code: m.StreetCode}
}

// MayOpen reports whether the actor has merchants to look at at all.
func MayOpen(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector)
}

// sees reports whether the actor may read a merchant of the region.
func sees(a access.Actor, region string) bool {
	if a.Oversees(region) {
		return true
	}
	return a.HasAny(access.RoleHandler, access.RoleInspector) && access.InSubtree(region, a.Region)
}

// manages reports whether the actor may keep the merchants of the region
// and confirm their flags: administrators, the office in its jurisdiction.
func manages(a access.Actor, region string) bool { return a.Manages(region) }

// CanManage reports whether the actor may change the merchant.
func (m Merchant) CanManage(a access.Actor) bool { return manages(a, m.RegionCode) }

// seesContact reports whether the actor sees the operator and phone
// unmasked: those who keep the merchant, and the staff of the territorial
// unit (street, community) who call on it.
func seesContact(a access.Actor, region string) bool {
	return manages(a, region) || a.Has(access.RoleHandler) && access.InSubtree(region, a.Region)
}

// MayConfigure reports whether the actor may set the 门前三包 categories and
// the flag quotas (one configuration for the installation).
func MayConfigure(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// Month is the month of t in Shanghai, YYYY-MM.
func Month(t time.Time) string { return t.In(calendar.Shanghai()).Format("2006-01") }

// monthBounds are the first instants of the month and of the next, in Shanghai.
func monthBounds(month string) (time.Time, time.Time, bool) {
	t, err := time.ParseInLocation("2006-01", month, calendar.Shanghai())
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return t, t.AddDate(0, 1, 0), true
}

// PrevMonth is the month before month.
func PrevMonth(month string) string {
	t, _, ok := monthBounds(month)
	if !ok {
		return ""
	}
	return Month(t.AddDate(0, -1, 0))
}

// ValidMonth reports whether month is YYYY-MM.
func ValidMonth(month string) bool {
	_, _, ok := monthBounds(month)
	return ok && len(month) == 7
}

// locate finds the region of a place.
func (s *Store) locate(ctx context.Context, p geo.Point) (string, bool, error) {
	if s.Locator == nil {
		return "", false, nil
	}
	return s.Locator.Locate(ctx, p.Lng, p.Lat)
}
