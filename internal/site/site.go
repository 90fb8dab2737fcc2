// Package site holds the inspection sites (点位) of a city: where each is
// (a point, or a line or an area for roads, alleys, parks and compounds),
// the region found from that place, who answers for it (the territorial
// unit, the line department, the sponsor unit and leader — 包保单位、包保领导
// — its head and liaison), the Excel workbook the office keeps of them, the
// map of all sites (一张图) and the QR code on each (码上文明).
//
// Who may do what: administrators everywhere; the office (创文办) reads and
// writes the sites of its jurisdiction; leaders and inspectors read them;
// nobody else sees the list. A QR code's token is random, so sites cannot
// be enumerated from the public URL.
package site

import (
	"context"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
)

// Site is one inspection site.
type Site struct {
	ID       int64
	Code     string // e.g. S410411-0001
	Name     string
	TypeCode string
	TypeName string
	// Geometry is the place as GeoJSON (Point, LineString or Polygon,
	// WGS-84); "" for a site without a fixed place (a bus, a taxi fleet).
	Geometry     string
	GeometryType string
	HasPlace     bool
	Lng, Lat     float64 // the representative point, when HasPlace
	BBox         geo.BBox
	RegionCode   string
	RegionName   string
	Address      string

	TerritorialUnitID   int64
	TerritorialUnitName string
	DepartmentUnitID    int64
	DepartmentUnitName  string
	SponsorUnitID       int64
	SponsorUnitName     string
	SponsorLeader       string
	HeadName            string
	HeadPhone           string
	LiaisonName         string
	LiaisonPhone        string

	Active  bool
	QRToken string
	// Score is the latest inspection score rate (0–100) of the site. The
	// inspections engine fills it; nil means not inspected yet.
	Score *float64
	// OpenProblems counts the open problems near the site; only the map
	// and the detail page fill it (see OpenProblemRadius).
	OpenProblems int

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Type is a site type as a select box needs it. The types themselves
// belong to the evaluation framework (table site_type).
type Type struct {
	Code   string
	Name   string
	Active bool
}

// Locator finds the smallest region (grid, community …) containing a
// WGS-84 point; the server's cached spatial index implements it.
type Locator interface {
	Locate(ctx context.Context, lng, lat float64) (code string, ok bool, err error)
}

// LatestScores returns the latest published score of each of the sites
// that has one. It takes the caller's connection.
type LatestScores func(ctx context.Context, c db.Conn, siteIDs []int64) (map[int64]float64, error)

// Store keeps the sites.
type Store struct {
	DB *db.DB
	// Scores, when set, gives each site its latest published inspection
	// score (0–100); inspections are another domain's (inspect.LatestScores).
	Scores LatestScores
	// Locator finds a site's region from its place. When nil, or when the
	// place lies in no known boundary, the region given with the site is
	// required.
	Locator Locator
	// BaseURL is the public address the QR codes point to (config
	// base-url). When empty the pages take the scheme and host of the
	// request that asks for the code.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// OpenProblemRadius is how near a problem must be to a site to count as
// one of its open problems, until problems carry a site link.
const OpenProblemRadius = 50.0

// Filter narrows a site listing.
type Filter struct {
	Query  string // name, code or address contains
	Type   string // type code
	Region string // region subtree
	UnitID int64  // territorial, department or sponsor unit
	// State is "" for all sites, "active" or "inactive".
	State  string
	Offset int
	Limit  int
}

// Input is what a person enters for a site.
type Input struct {
	// Code is optional on create: S + the district code + a number is
	// generated (S410411-0001).
	Code     string
	Name     string
	TypeCode string
	// Geometry is the place as GeoJSON (see ParsePlace); "" for none.
	Geometry string
	// RegionCode is used when the place is not inside any known boundary
	// (or there is no place, or no Locator); otherwise the region is the
	// one found from the place.
	RegionCode string
	Address    string
	// TerritorialUnitID 0 means the territorial unit whose jurisdiction
	// is the smallest one holding the site's region.
	TerritorialUnitID int64
	DepartmentUnitID  int64
	SponsorUnitID     int64
	SponsorLeader     string
	HeadName          string
	HeadPhone         string
	LiaisonName       string
	LiaisonPhone      string
}

// ScoreBucket puts a score rate into the band the map colours: "none"
// (not inspected), "good" (90 and above), "fair" (75–90), "poor" (60–75)
// or "bad" (below 60).
func ScoreBucket(score *float64) string {
	switch {
	case score == nil:
		return "none"
	case *score >= 90:
		return "good"
	case *score >= 75:
		return "fair"
	case *score >= 60:
		return "poor"
	}
	return "bad"
}

// ProblemBucket puts a count of open problems into the band the map
// colours: "none" (0), "few" (1–2) or "many" (3 and more).
func ProblemBucket(n int) string {
	switch {
	case n <= 0:
		return "none"
	case n <= 2:
		return "few"
	}
	return "many"
}
