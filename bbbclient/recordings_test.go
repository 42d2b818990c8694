package bbbclient

import (
	"errors"
	"testing"
)

func TestGetRecordings(t *testing.T) {
	srv, rec := xmlServer(t, 200, fixtureRecordings)
	c, _ := newTestClient(t, srv.URL)
	list, err := c.GetRecordings(t.Context(), RecordingsQuery{
		MeetingIDs: []string{"a", "b c"}, RecordIDs: []string{"r1"}, States: []string{"published", "unpublished"},
		Meta: map[string]string{"bbb-origin": "tafel"}, Offset: new(0), Limit: new(10),
	})
	if err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "getRecordings", rec.last(t).RawQuery, docSecret); q != "meetingID=a%2Cb+c&recordID=r1&state=published%2Cunpublished&meta_bbb-origin=tafel&offset=0&limit=10" {
		t.Errorf("query %s", q)
	}
	if list.TotalElements != 1 || len(list.Recordings) != 1 {
		t.Fatalf("%+v", list)
	}
	r := list.Recordings[0]
	if r.RecordID != "ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124" || r.Name != "Fred's Room" || !r.Published ||
		r.State != "published" || r.StartTime != 1530718721134 || r.EndTime != 1530718810456 || r.Participants != 3 ||
		r.RawSize != 951067 || r.Size != 1104836 || r.Metadata["gl-listed"] != "false" || r.IsBreakout {
		t.Errorf("recording %+v", r)
	}
	if len(r.Formats) != 2 || r.Formats[0].Type != "presentation" || r.Formats[0].ProcessingTime != 7177 ||
		len(r.Formats[0].Previews) != 2 || r.Formats[0].Previews[0].Width != 176 || r.Formats[0].Previews[0].Alt != "Welcome to" ||
		r.Formats[0].Previews[1].URL != "https://demo.bigbluebutton.org/presentation/ffbf/thumbnails/thumb-2.png" ||
		r.Formats[1].Type != "video" || r.Formats[1].Length != 2 {
		t.Errorf("formats %+v", r.Formats)
	}
}

func TestGetRecordingsEmpty(t *testing.T) {
	for name, body := range map[string]string{
		"SUCCESS noRecordings": fixtureNoRecordings,
		"FAILED noRecordings":  `<response><returncode>FAILED</returncode><messageKey>noRecordings</messageKey><message>none</message></response>`,
	} {
		srv, rec := xmlServer(t, 200, body)
		c, _ := newTestClient(t, srv.URL)
		list, err := c.GetRecordings(t.Context(), RecordingsQuery{})
		if err != nil || list == nil || list.Recordings == nil || len(list.Recordings) != 0 {
			t.Errorf("%s: %+v %v", name, list, err)
		}
		if q := verifySigned(t, "getRecordings", rec.last(t).RawQuery, docSecret); q != "" {
			t.Errorf("query %q", q)
		}
	}
}

func TestRecordingCalls(t *testing.T) {
	srv, rec := xmlServer(t, 200, `<response><returncode>SUCCESS</returncode><published>true</published></response>`)
	c, _ := newTestClient(t, srv.URL)
	if err := c.PublishRecordings(t.Context(), []string{"r1", "r2"}, false); err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "publishRecordings", rec.last(t).RawQuery, docSecret); q != "recordID=r1%2Cr2&publish=false" {
		t.Errorf("publish query %s", q)
	}
	if err := c.DeleteRecordings(t.Context(), []string{"r1"}); err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "deleteRecordings", rec.last(t).RawQuery, docSecret); q != "recordID=r1" {
		t.Errorf("delete query %s", q)
	}
	if err := c.UpdateRecordings(t.Context(), []string{"r1"}, map[string]string{"name": "Mathe"}); err != nil {
		t.Fatal(err)
	}
	if q := verifySigned(t, "updateRecordings", rec.last(t).RawQuery, docSecret); q != "recordID=r1&meta_name=Mathe" {
		t.Errorf("update query %s", q)
	}
	n := len(rec.all())
	for _, err := range []error{
		c.PublishRecordings(t.Context(), nil, true),
		c.DeleteRecordings(t.Context(), []string{"a,b"}),
		c.DeleteRecordings(t.Context(), []string{""}),
	} {
		if !isValidation(err) {
			t.Errorf("err = %v", err)
		}
	}
	_, err := c.GetRecordings(t.Context(), RecordingsQuery{Limit: new(101)})
	if !isValidation(err) {
		t.Errorf("limit 101: %v", err)
	}
	if len(rec.all()) != n {
		t.Error("invalid calls were sent")
	}
	srv2, _ := xmlServer(t, 200, fixtureNotFound)
	c2, _ := newTestClient(t, srv2.URL)
	if err := c2.DeleteRecordings(t.Context(), []string{"r1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}
