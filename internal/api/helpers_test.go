package api_test

import (
	"regexp"

	"github.com/wenming-civic/wenming/internal/inspect"
)

var criterionID = regexp.MustCompile(`"id":(\d+)`)

// doneCount counts the sites that have been inspected.
func doneCount(sites []inspect.SiteScore) int {
	n := 0
	for _, s := range sites {
		if s.Done {
			n++
		}
	}
	return n
}
