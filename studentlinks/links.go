package studentlinks

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/tafel-schule/tafel/bbbclient"
)

// URL is a signed join link that prints redacted (bbbclient.SignedURL,
// rooms.JoinURL): a bearer credential revealed only on purpose.
type URL interface {
	Reveal() string
	String() string
}

// Signer returns a signed VIEWER join URL for one student. The room/pool
// layer supplies it (meeting ID, createTime, pool secret or broker); this
// package never sees a secret. Whatever the signer returns is checked by
// BuildLinks: anything but a plain viewer link is refused.
type Signer func(ctx context.Context, fullName, userID string) (URL, error)

// ViewerSigner signs with a bbbclient.Client. tmpl carries MeetingID and
// either AnyInstance (links for every lesson of the room, the usual choice
// for a printed sheet) or CreateTime (links for this one lesson only), and
// optional Guest, UserData such as
// "bbb_override_default_locale"); FullName and UserID are set per student
// and Role is always VIEWER, whatever tmpl says.
func ViewerSigner(c *bbbclient.Client, tmpl bbbclient.JoinParams) Signer {
	return func(_ context.Context, fullName, userID string) (URL, error) {
		p := tmpl
		p.FullName, p.UserID, p.Role = fullName, userID, bbbclient.RoleViewer
		u, err := c.JoinURL(p)
		if err != nil {
			return nil, err
		}
		return u, nil
	}
}

// Link is one student's personal join link. URL is a bearer credential:
// it prints as "[redacted]"; only the sheet and the CSV reveal it.
type Link struct {
	Student Student
	UserID  string
	URL     URL
}

// BuildLinks signs one link per student, in order, with the userID
// UserID(meetingID, student.Name). Every URL must be an http(s) join URL
// with role=VIEWER, the student's name and userID, this meeting, and no
// password: a
// signer bug can never hand a student moderator rights.
func BuildLinks(ctx context.Context, meetingID string, students []Student, sign Signer) ([]Link, error) {
	if sign == nil {
		return nil, &Error{Code: CodeSignFailed, Err: errors.New("no signer")}
	}
	links := make([]Link, 0, len(students))
	for _, s := range students {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id := UserID(meetingID, s.Name)
		u, err := sign(ctx, s.Name, id)
		if err == nil && u == nil {
			err = errors.New("signer returned no URL")
		}
		if err != nil {
			return nil, &Error{Code: CodeSignFailed, Name: s.Name, Line: s.Line, Err: err}
		}
		if err := checkViewer(u, meetingID, s.Name, id); err != nil {
			return nil, &Error{Code: CodeNotViewer, Name: s.Name, Line: s.Line, Err: err}
		}
		links = append(links, Link{Student: s, UserID: id, URL: u})
	}
	return links, nil
}

// forbiddenParams would lift or bypass the viewer role.
var forbiddenParams = []string{"password", "moderatorPW", "attendeePW"}

// checkViewer inspects the URL without ever putting it into an error.
func checkViewer(su URL, meetingID, name, userID string) error {
	u, err := url.Parse(su.Reveal())
	if err != nil {
		return errors.New("unparsable URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(u.Path, "/join") {
		return errors.New("not an http(s) join URL")
	}
	q := u.Query()
	if r := q["role"]; len(r) != 1 || !strings.EqualFold(r[0], string(bbbclient.RoleViewer)) {
		return errors.New("role is not VIEWER")
	}
	for _, p := range forbiddenParams {
		if q.Has(p) {
			return errors.New("carries " + p)
		}
	}
	// createTime is optional: printed links leave it out (JoinParams.AnyInstance).
	if q.Get("checksum") == "" {
		return errors.New("unsigned")
	}
	if q.Get("fullName") != name || q.Get("userID") != userID || q.Get("meetingID") != meetingID {
		return errors.New("name, userID or meeting differ from the request")
	}
	return nil
}
