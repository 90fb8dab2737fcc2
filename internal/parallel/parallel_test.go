package parallel_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/parallel"
)

func TestDoRunsAllAtOnceAndJoinsErrors(t *testing.T) {
	var running, most atomic.Int32
	gate := make(chan struct{})
	step := func() error {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-gate
		running.Add(-1)
		return nil
	}
	go func() {
		for most.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		close(gate)
	}()
	if err := parallel.Do(step, step, step); err != nil {
		t.Fatal(err)
	}
	if most.Load() != 3 {
		t.Errorf("at most %d ran at once, want 3", most.Load())
	}
	a, b := errors.New("a"), errors.New("b")
	err := parallel.Do(func() error { return a }, func() error { return nil }, func() error { return b })
	if !errors.Is(err, a) || !errors.Is(err, b) {
		t.Errorf("errors: %v", err)
	}
}
