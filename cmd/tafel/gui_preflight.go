package main

import (
	"context"
	"time"

	tafelui "github.com/tafel-schule/tafel/app"
	"github.com/tafel-schule/tafel/backend"
	"github.com/tafel-schule/tafel/preflight"
)

// preflightService is the GUI's pre-flight: a preflight.Runner built
// afresh for each run, because the pool may be set up (first run) or
// changed (CLI) while the app runs.
type preflightService struct {
	b *backend.Backend
}

func newPreflightService(b *backend.Backend, _ guiConfig) tafelui.Preflight {
	return &preflightService{b: b}
}

// poolOpenTimeout bounds the keyring look-up before a run: an unlock
// prompt must not eat the pre-flight's own deadline unnoticed.
const poolOpenTimeout = 20 * time.Second

func (s *preflightService) runner(ctx context.Context) *preflight.Runner {
	r := &preflight.Runner{History: s.b.History(), Tr: s.b.Translator()}
	octx, cancel := context.WithTimeout(ctx, poolOpenTimeout)
	defer cancel()
	p, name, _, err := s.b.DefaultPool(octx)
	r.Pool, r.PoolErr, r.PoolName = p, err, name
	return r
}

func (s *preflightService) Run(ctx context.Context, on func(preflight.Result)) *preflight.Report {
	return s.runner(ctx).Run(ctx, on)
}

func (s *preflightService) Levels(ctx context.Context) (<-chan float64, error) {
	return (&preflight.Runner{}).Levels(ctx)
}

func (s *preflightService) Last() time.Time {
	return (&preflight.Runner{History: s.b.History()}).Last()
}
