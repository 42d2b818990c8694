package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tafel-schule/tafel/checkreport"
)

// fakePreflight is a scripted Preflight. Run delivers results one by one
// from another goroutine (as the real runner does), signals delivered,
// then waits for release (if set) and returns report.
type fakePreflight struct {
	mu        sync.Mutex
	results   []checkreport.Result
	report    *checkreport.Report
	last      time.Time
	levels    chan float64
	levelsErr error
	delivered chan struct{} // gets one value per Run once all results are shown
	release   chan struct{} // Run waits for it (or its context) before returning
	runs      int
}

func (f *fakePreflight) Run(ctx context.Context, onResult func(checkreport.Result)) *checkreport.Report {
	f.mu.Lock()
	f.runs++
	results, rep, delivered, release := f.results, f.report, f.delivered, f.release
	f.mu.Unlock()
	for _, r := range results {
		done := make(chan struct{})
		go func() {
			defer close(done)
			onResult(r)
		}()
		<-done
	}
	if delivered != nil {
		delivered <- struct{}{}
	}
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return nil
		}
	}
	return rep
}

func (f *fakePreflight) Levels(ctx context.Context) (<-chan float64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.levelsErr != nil {
		return nil, f.levelsErr
	}
	if f.levels == nil {
		return make(chan float64), nil // silent until the context ends
	}
	return f.levels, nil
}

func (f *fakePreflight) Last() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *fakePreflight) Runs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs
}

// addedPool is one successful Setup.AddPool.
type addedPool struct{ name, url, secret string }

// fakeSetup records pools; AddPool stores nothing when addErr is set, as
// the real one stores only after a successful test.
type fakeSetup struct {
	mu          sync.Mutex
	needs       bool
	managed     bool
	managedName string
	managedURL  string
	addErr      error
	calls       int
	pools       []addedPool
}

func (f *fakeSetup) NeedsPool() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.needs
}

func (f *fakeSetup) ManagedPool() (string, string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.managedName, f.managedURL, f.managed
}

func (f *fakeSetup) AddPool(ctx context.Context, name, url, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.addErr != nil {
		return f.addErr
	}
	f.pools = append(f.pools, addedPool{name, url, secret})
	f.needs = false
	return nil
}

func (f *fakeSetup) added() (int, []addedPool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, append([]addedPool(nil), f.pools...)
}

// fakeSettingsStore keeps AppSettings in memory with locked keys.
type fakeSettingsStore struct {
	mu      sync.Mutex
	s       AppSettings
	locked  map[string]bool
	saveErr error
	saves   int
}

func (f *fakeSettingsStore) Load() AppSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

func (f *fakeSettingsStore) Save(s AppSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saves++
	if f.saveErr != nil {
		return f.saveErr
	}
	f.s = s
	return nil
}

func (f *fakeSettingsStore) Locked(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.locked[key]
}

func (f *fakeSettingsStore) saved() (AppSettings, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s, f.saves
}

// pfExplainLessons is a Lessons whose only used method is Explain.
type pfExplainLessons struct{ Lessons }

func (pfExplainLessons) Explain(err error) string {
	if errors.Is(err, errPoolRejected) {
		return "The pool rejects the secret."
	}
	return "Something failed."
}

var errPoolRejected = errors.New("checksum rejected")
