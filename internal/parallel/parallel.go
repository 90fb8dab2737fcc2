// Package parallel runs independent reads side by side: a page that
// needs several sums from the database (the dashboard, a bulletin) waits
// for the slowest, not for all of them in a row. The database pools
// bound how many run at once.
package parallel

import (
	"errors"
	"sync"
)

// Do runs fns at once, waits for all, and returns their errors joined
// (nil when none failed).
func Do(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}
