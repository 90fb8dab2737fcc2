package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// choice is one option of a select box.
type choice struct {
	Value, Label string
	Selected     bool
}

// formInt reads an integer field; a non-empty field that is not a number
// gives -1, so that the domain refuses it instead of taking a default.
func formInt(r *http.Request, name string) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// parseLocal reads a time as entered in a form (datetime-local or typed),
// in Shanghai time.
func parseLocal(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseLocalTime(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(18 * time.Hour) // a date alone means the end of that working day
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

// pageParams reads ?page= into an offset, 20 rows a page.
func pageParams(r *http.Request) (page, offset, limit int) {
	const perPage = 20
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	return page, (page - 1) * perPage, perPage
}

// pager describes the links under a list.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

func newPager(r *http.Request, page, limit, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+limit-1)/limit)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("error.not_found")
	}
	return id, nil
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return id
}

// localPath accepts only a same-site path as a redirect target.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
