// Package roundtrip holds no code, only tests: bbbclient against the BBB
// simulator for every call, in each flavor (BBB 3.x, BBB 2.4, Scalelite), and
// the simulator's TURN credentials against a real coturn. The two packages
// are written independently from bbb-api.md, so a misreading in one shows up
// as a failure here instead of cancelling out.
package roundtrip
