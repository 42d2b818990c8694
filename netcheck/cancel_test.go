package netcheck

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"
)

// silentUDP returns a turn: URL whose UDP port swallows everything: what a
// firewall that drops UDP looks like to pion (7.8 s of retransmissions).
func silentUDP(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return "turn:127.0.0.1:" + strconv.Itoa(c.LocalAddr().(*net.UDPAddr).Port) + "?transport=udp"
}

// The check never outlives its deadline, even when pion would wait 7.8 s.
func TestDeadlineBoundsSilentUDP(t *testing.T) {
	src := NewTURNRESTSource([]string{silentUDP(t)}, "secret")
	start := time.Now()
	rep, err := Run(context.Background(), src, Options{Timeout: 2 * time.Second})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if el > 3*time.Second { // 1 s of scheduling slack on a loaded CI machine; pion alone would take 7.8 s
		t.Errorf("verdict after %v, deadline 2 s", el)
	}
	expect(t, rep, Fail, CatAllBlocked, CatUDPBlocked)
}

// Canceling the context (the teacher closes the window) ends the check at once.
func TestCancelReturnsAtOnce(t *testing.T) {
	src := NewTURNRESTSource([]string{silentUDP(t), silentUDP(t)}, "secret")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	rep, err := Run(ctx, src, Options{Timeout: 30 * time.Second})
	el := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if el > 1500*time.Millisecond { // vs. the 30 s deadline: the cancel, not the deadline, ended it
		t.Errorf("returned %v after the cancel", el-200*time.Millisecond)
	}
	expect(t, rep, Fail, CatCanceled, CatCanceled, CatCanceled)
}
