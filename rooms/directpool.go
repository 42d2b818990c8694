package rooms

import (
	"context"
	"errors"
	"net/http"

	"github.com/tafel-schule/tafel/bbbclient"
	"github.com/tafel-schule/tafel/config"
)

// DirectPool is a Pool that calls the BBB API itself, signing with the
// pool's shared secret.
type DirectPool struct {
	cfg    config.Pool
	client *bbbclient.Client
}

// DirectOptions tune NewDirectPool.
type DirectOptions struct {
	HTTPClient *http.Client // nil: a default client
}

// NewDirectPool returns a DirectPool for cfg with secret (from the keyring).
func NewDirectPool(cfg config.Pool, secret string, opts DirectOptions) (*DirectPool, error) {
	c, err := bbbclient.New(bbbclient.Options{BaseURL: cfg.URL, Secret: secret, Algorithm: cfg.Algorithm(), HTTPClient: opts.HTTPClient})
	if err != nil {
		return nil, &config.Error{Code: config.CodeInvalidPool, Detail: cfg.Name, Err: err}
	}
	return &DirectPool{cfg: cfg, client: c}, nil
}

// OpenDirectPool reads the pool's secret from secrets and returns its
// DirectPool. A missing secret is config.ErrSecretNotFound.
func OpenDirectPool(ctx context.Context, cfg config.Pool, secrets config.Secrets, opts DirectOptions) (*DirectPool, error) {
	secret, err := secrets.Get(ctx, cfg.SecretKey())
	if err != nil {
		return nil, err
	}
	return NewDirectPool(cfg, secret, opts)
}

// Name implements Pool.
func (p *DirectPool) Name() string { return p.cfg.Name }

// BaseURL is the pool's API URL (for the network check's reachability test).
func (p *DirectPool) BaseURL() string { return p.client.BaseURL() }

// APIVersion asks the API root for its version (no checksum involved).
func (p *DirectPool) APIVersion(ctx context.Context) (string, error) {
	v, err := p.client.Version(ctx)
	if err != nil {
		return "", err
	}
	if v.APIVersion != "" {
		return v.APIVersion, nil
	}
	return v.Version, nil
}

// Limits implements Pool.
func (p *DirectPool) Limits() Limits {
	in, file, pages := p.cfg.Limits()
	return Limits{InlineBytes: in, FileBytes: file, Pages: pages}
}

// EnsureMeeting implements Pool.
func (p *DirectPool) EnsureMeeting(ctx context.Context, spec MeetingSpec) (Meeting, error) {
	cp := spec.Settings.CreateParams()
	cp.Name = spec.Name
	cp.MeetingID = spec.MeetingID
	cp.Welcome = welcomeHTML(spec.Welcome)
	cp.Meta = map[string]string{"bbb-origin": "tafel"}
	cp.Documents = spec.Slides
	cp.Upload = spec.Upload
	if len(spec.Slides) > 0 {
		// Tafel's slides replace BBB's default.pdf.
		cp.PreUploadedPresentationOverrideDefault = yes()
	}
	res, err := p.client.Create(ctx, cp)
	if err != nil {
		return Meeting{}, err
	}
	return Meeting{MeetingID: res.MeetingID, CreateTime: res.CreateTime, Existed: res.Duplicate}, nil
}

// ModeratorJoinURL implements Pool.
func (p *DirectPool) ModeratorJoinURL(_ context.Context, m Meeting, who Participant) (JoinURL, error) {
	jp := bbbclient.JoinParams{
		MeetingID:  m.MeetingID,
		FullName:   who.Name,
		Role:       bbbclient.RoleModerator,
		CreateTime: m.CreateTime,
		UserID:     who.UserID,
		// bbb-api.md §5.2: the teacher goes straight into audio with
		// the microphone.
		UserData: map[string]string{"bbb_auto_join_audio": "true", "bbb_listen_only_mode": "false"},
	}
	if who.SkipEchoTest {
		// Only the first audio join: a later device change can still be
		// tested in BBB (bbb-api.md §6).
		jp.UserData["bbb_skip_check_audio_on_first_join"] = "true"
	}
	u, err := p.client.JoinURL(jp)
	if err != nil {
		return JoinURL{}, err
	}
	return NewJoinURL(u.Reveal()), nil
}

// ViewerJoinURL implements Pool. The role is fixed here, not taken from the
// caller, so no code path can produce a moderator link for a student.
// createTime 0 signs a link without createTime (bbbclient's AnyInstance): it
// keeps working for every later lesson of the meeting ID, until the room's ID
// is rotated — what a printed class sheet needs.
func (p *DirectPool) ViewerJoinURL(_ context.Context, meetingID string, createTime int64, who Participant) (JoinURL, error) {
	u, err := p.client.JoinURL(bbbclient.JoinParams{
		MeetingID: meetingID, FullName: who.Name, Role: bbbclient.RoleViewer,
		CreateTime: createTime, AnyInstance: createTime <= 0,
		UserID: who.UserID, Guest: who.Guest,
	})
	if err != nil {
		return JoinURL{}, err
	}
	return NewJoinURL(u.Reveal()), nil
}

// AddSlides implements Pool.
func (p *DirectPool) AddSlides(ctx context.Context, meetingID string, docs []bbbclient.Document, opts bbbclient.UploadOptions) error {
	return p.client.InsertDocument(ctx, meetingID, docs, opts)
}

// Status implements Pool.
func (p *DirectPool) Status(ctx context.Context, meetingID string) (MeetingStatus, error) {
	info, err := p.client.GetMeetingInfo(ctx, meetingID)
	if errors.Is(err, bbbclient.ErrNotFound) {
		return MeetingStatus{}, nil
	}
	if err != nil {
		return MeetingStatus{}, err
	}
	if info.HasBeenForciblyEnded {
		return MeetingStatus{}, nil
	}
	return MeetingStatus{Exists: true, Running: info.Running, CreateTime: info.CreateTime,
		Participants: info.ParticipantCount, Moderators: info.ModeratorCount}, nil
}

// End implements Pool; an unknown meeting is not an error.
func (p *DirectPool) End(ctx context.Context, meetingID string) error {
	err := p.client.End(ctx, meetingID)
	if errors.Is(err, bbbclient.ErrNotFound) {
		return nil
	}
	return err
}

// ICEServers implements Pool with a probe meeting that is ended afterwards.
func (p *DirectPool) ICEServers(ctx context.Context) (*bbbclient.ICEConfig, error) {
	id := "tafel-probe-" + NewMeetingID()[len(meetingIDPrefix):]
	res, err := p.client.Create(ctx, bbbclient.CreateParams{Name: "Tafel check", MeetingID: id,
		MeetingExpireIfNoUserJoinedInMinutes: num(1)})
	if err != nil {
		return nil, err
	}
	defer p.client.End(context.WithoutCancel(ctx), id)
	return p.client.FetchICEServers(ctx, bbbclient.JoinParams{MeetingID: id, FullName: "Tafel check",
		Role: bbbclient.RoleViewer, CreateTime: res.CreateTime, ExcludeFromDashboard: true})
}

// Check implements Pool: the API root answers, and a signed call is
// accepted (isMeetingRunning for a random ID needs a valid checksum only).
func (p *DirectPool) Check(ctx context.Context) error {
	if _, err := p.client.Version(ctx); err != nil {
		return err
	}
	_, err := p.client.IsMeetingRunning(ctx, "tafel-check-"+NewMeetingID()[len(meetingIDPrefix):])
	return err
}

var _ Pool = (*DirectPool)(nil)
