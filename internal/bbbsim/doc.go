// Package bbbsim simulates the server side of the BigBlueButton (BBB) API for
// tests, "tafel sim" and "tafel demo".
//
// The simulator is deliberately strict: wherever a real bbb-web (or Scalelite
// in front of it) rejects a request, the simulator rejects it the same way,
// with the same messageKey and, where known, the same message text. A lenient
// simulator would let client bugs pass tests that then fail against a real
// pool. The behaviour follows docs/bbb-api.md (§14 lists what is reproduced)
// and the bbb-web sources cited there.
//
// It is an independent implementation: it never imports the project's own BBB
// client, so a bug in the client cannot be cancelled out by the same bug here.
//
// Overview:
//
//   - [New] builds a [Server]; [Server.Handler] serves the API
//     (/bigbluebutton/api/...), the fake HTML5 client page and the guest
//     lobby. In the Scalelite flavour, Handler is the load balancer and
//     [Server.NodeHandler] is the BBB node it redirects joins to.
//   - All timeouts (meeting expiry, end processing, TURN credential expiry)
//     run on Config.Clock, so tests can use a [ManualClock].
//   - Test hooks such as [Server.Meetings], [Server.Presentations],
//     [Server.EnterClient] and [Server.Requests] are plain Go methods and are
//     not reachable through HTTP.
package bbbsim
