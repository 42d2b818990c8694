package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/tafel-schule/tafel/turnrest"
)

// The real coturn accepts TURN REST credentials minted by turnrest and
// refuses a wrong password: the scheme the simulator's stuns answer relies on.
func TestCoturnAcceptsTURNRESTCredentials(t *testing.T) {
	c := StartCoturn(t, CoturnOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cred := turnrest.Mint(c.Secret, "w_testenv0001", time.Now(), time.Hour)
	if err := c.AllocateWithUClient(ctx, t, cred.Username, cred.Password, false); err != nil {
		t.Fatalf("valid credential refused: %v", err)
	}
	if err := c.AllocateWithUClient(ctx, t, cred.Username, "wrong-password", false); err == nil {
		t.Fatal("wrong password accepted")
	}
	expired := turnrest.Mint(c.Secret, "w_testenv0001", time.Now().Add(-2*time.Hour), time.Hour)
	if err := c.AllocateWithUClient(ctx, t, expired.Username, expired.Password, false); err == nil {
		t.Fatal("expired credential accepted")
	}
}
