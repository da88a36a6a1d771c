package cookieseal

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// countingHandle counts its frees.
type countingHandle struct{ frees atomic.Int32 }

func (h *countingHandle) free() { h.frees.Add(1) }

func TestInFlightFreesOnceWhenTheLastCallLeaves(t *testing.T) {
	var g inFlight
	h := &countingHandle{}
	if err := g.enter("codec"); err != nil {
		t.Fatal(err)
	}
	if err := g.enter("codec"); err != nil {
		t.Fatal(err)
	}
	g.close(h)
	g.close(h) // twice is fine
	if n := h.frees.Load(); n != 0 {
		t.Fatalf("freed %d times with two calls in flight", n)
	}
	if err := g.enter("codec"); !errors.Is(err, ErrClosed) {
		t.Fatalf("enter after close: %v, want ErrClosed", err)
	}
	g.leave(h)
	if n := h.frees.Load(); n != 0 {
		t.Fatalf("freed %d times with one call in flight", n)
	}
	g.leave(h)
	if n := h.frees.Load(); n != 1 {
		t.Fatalf("freed %d times once the last call left, want 1", n)
	}
	var idle inFlight
	idle.close(h)
	if n := h.frees.Load(); n != 2 {
		t.Fatal("close without calls in flight does not free at once")
	}
}

func TestInFlightUnderContentionFreesExactlyOnceAndNeverDuringACall(t *testing.T) {
	for round := 0; round < 50; round++ {
		var g inFlight
		var running atomic.Int32
		h := &checkedHandle{running: &running}
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for g.enter("codec") == nil {
					running.Add(1)
					running.Add(-1)
					g.leave(h)
				}
			}()
		}
		g.close(h)
		wg.Wait()
		if h.frees != 1 || h.during {
			t.Fatalf("freed %d times, during a call: %v", h.frees, h.during)
		}
	}
}

// checkedHandle records whether it was freed while a call ran.
type checkedHandle struct {
	running *atomic.Int32
	frees   int
	during  bool
}

func (h *checkedHandle) free() {
	h.frees++
	h.during = h.during || h.running.Load() != 0
}

func TestInFlightCostsNoAllocation(t *testing.T) {
	var g inFlight
	h := &countingHandle{}
	if n := testing.AllocsPerRun(1000, func() {
		if g.enter("codec") == nil {
			g.leave(h)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per guarded call, want 0", n)
	}
}
