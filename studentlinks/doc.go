// Package studentlinks turns a class list into personal VIEWER join links,
// a printable sheet (one card with QR code per student) and a CSV for mail
// merge. It imports no GUI code and never sees a pool secret: signing is
// done by a caller-supplied Signer.
//
// # Students can join only while the lesson runs
//
// A link is a signed BBB join URL with role=VIEWER. BBB accepts it only
// while a meeting with the room's ID is running: before the teacher starts
// the lesson the answer is "meeting not found", so students join after the
// teacher. A sheet is printed once per class: its links are made with
// bbbclient.JoinParams.AnyInstance (no createTime) and work for every lesson
// of the room. Rotating the room's meeting ID revokes every link and
// changes every userID; print a new sheet then. Links signed with a
// CreateTime instead work only for that one lesson
// (mismatchCreateTimeParam afterwards), for links sent during a lesson.
//
// # Links can never be moderator
//
// BuildLinks checks every URL the signer returns: an http(s) join URL,
// exactly one role=VIEWER, no password parameters, signed, with the
// student's own name and userID. Anything else is refused with
// ErrNotViewer, so a signer bug cannot hand out moderator rights.
// ViewerSigner hard-wires Role VIEWER when signing with a bbbclient.Client.
//
// # Class lists
//
// Parse reads CSV (';', ',' or tab; quoting; a header row of common school
// exports such as "Nachname;Vorname;Klasse", "Name;Vorname", "First
// name,Last name,Email"; without a header two columns are read as
// Nachname;Vorname) or plain text with one name per line. UTF-8 with or
// without BOM, UTF-16 with BOM (and BOM-less Latin UTF-16) and
// Windows-1252 (invalid UTF-8 is decoded as 1252, what German Excel writes)
// are recognised. Empty lines are skipped and counted; repeated names get
// " (2)", " (3)" and are reported (ClassList.Duplicates), so each student
// has a distinct link. Input is capped (1 MiB, 500 names by default) with
// a clear error; choosing the .xlsx itself gets a "save as CSV" message.
//
// UserID is HMAC-SHA256(meeting ID, normalised name): stable across
// re-exports, different per room, revealing neither name nor meeting ID.
//
// # Secrets
//
// A join URL is a bearer credential. Link.URL is a URL that prints
// redacted (bbbclient.SignedURL, rooms.JoinURL); only WriteSheet and WriteCSV reveal it, on
// purpose. Errors never contain a URL. Do not log sheets or CSVs.
//
// Example:
//
//	cl, err := studentlinks.ParseFile("7b.csv", studentlinks.ParseOptions{})
//	if err != nil {
//		fmt.Fprintln(os.Stderr, studentlinks.Message(tr, err))
//		return
//	}
//	sign := studentlinks.ViewerSigner(client, bbbclient.JoinParams{MeetingID: room.MeetingID, AnyInstance: true})
//	links, err := studentlinks.BuildLinks(ctx, room.MeetingID, cl.Students, sign)
//	// …
//	err = studentlinks.WriteSheet(f, links, studentlinks.SheetOptions{Lang: "de", Room: room.Name, Class: cl.Class})
package studentlinks
