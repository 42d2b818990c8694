package bbbsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Message keys and texts. Texts are bbb-web's (or Scalelite's) literal
// strings; clients must branch on the keys only.
const (
	keyChecksumError          = "checksumError"
	msgChecksumError          = "Checksums do not match"
	keyUnsupportedContentType = "unsupportedContentType"
	msgUnsupportedContentType = "POST request Content-Type is missing or unsupported"
	keyValidationError        = "validationError"
	msgRequestNotRecognized   = "Request not recognized"
	keyDuplicateWarning       = "duplicateWarning"
	msgDuplicateWarning       = "This conference was already in existence and may currently be in progress."
	keyIDNotUnique            = "idNotUnique"
	msgIDNotUnique            = "A meeting already exists with that meeting ID.  Please use a different meeting ID."
	keyNotFound               = "notFound"
	msgMeetingNotFound        = "A meeting with that ID does not exist"
	msgScaleliteNotFound      = "We could not find a meeting with that meeting ID"
	keySentEnd                = "sentEndMeetingRequest"
	msgSentEnd                = "A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended."
	keyNoMeetings             = "noMeetings"
	msgNoMeetings             = "no meetings were found on this server"
	keyMissingMeetingID       = "missingParamMeetingID"
	msgMissingMeetingID       = "You must provide a meeting ID"
	keyMissingFullName        = "missingParamFullName"
	msgMissingFullName        = "You must provide your name"
	keyInvalidMeetingID       = "invalidMeetingIdentifier"
	msgInvalidMeetingID       = "The meeting ID that you supplied did not match any existing meetings"
	keyForciblyEnded          = "meetingForciblyEnded"
	msgForciblyEnded          = "You can not join a meeting that has already been forcibly ended"
	keyMismatchCreateTime     = "mismatchCreateTimeParam"
	msgMismatchCreateTime     = "The createTime parameter submitted mismatches with the current meeting."
	keyParamsRequired         = "Params required"
	msgNoRoleNoPassword       = "You must either send the valid role of the user, or the password, sould the meeting has one."
	msgWrongPassword          = "You must enter a valid password"
	msgNoPasswords            = "You must send the 'role' parameter, since this meeting doesn't have any password."
	keyMaxParticipants        = "maxParticipantsReached"
	msgMaxParticipants        = "The number of participants allowed for this meeting has been reached."
	keyGuestDenied            = "guestDeniedAccess"
	msgGuestDenied            = "You have been denied access to this meeting based on the meeting's guest policy"
	keyGuestWait              = "guestWait"
	msgGuestWait              = "Guest waiting for approval to join meeting."
	keyJoined                 = "successfullyJoined"
	msgJoined                 = "You have joined successfully."
	msgInsertUploading        = "Presentation is being uploaded"
	msgPresentationDisabled   = "Presentation feature is disabled, ignoring."
	keyNoRecordings           = "noRecordings"
	msgNoRecordings           = "There are no recordings for the meeting(s)."
	keyUnsupportedRequest     = "unsupportedRequest"
	msgUnsupportedRequest     = "This request is not supported."
	keyServerUnavailable      = "serverUnavailable"
	msgServerUnavailable      = "The server for this meeting is unavailable."
	msgStunsFailed            = "Could not find conference."
)

// xmlBuilder writes compact response XML in a fixed element order, the way
// bbb-web's compressed FreeMarker templates render.
type xmlBuilder struct{ b strings.Builder }

func (x *xmlBuilder) open(name string)  { x.b.WriteString("<" + name + ">") }
func (x *xmlBuilder) close(name string) { x.b.WriteString("</" + name + ">") }

// elem writes <name>value</name>; FreeMarker's auto-escaping escapes the
// value, and the name too when it comes from a request (meta_*, userdata-*).
func (x *xmlBuilder) elem(name, value string) {
	x.open(name)
	x.b.WriteString(xmlEscape(value))
	x.close(name)
}

func (x *xmlBuilder) boolElem(name string, v bool) { x.elem(name, strconv.FormatBool(v)) }
func (x *xmlBuilder) intElem(name string, v int64) { x.elem(name, strconv.FormatInt(v, 10)) }
func (x *xmlBuilder) String() string               { return x.b.String() }

// dynElem writes an element whose name comes from the request; FreeMarker
// escapes it like text, so odd names give odd (but not injected) XML, as on
// a real server.
func (x *xmlBuilder) dynElem(name, value string) {
	n := xmlEscape(name)
	x.b.WriteString("<" + n + ">" + xmlEscape(value) + "</" + n + ">")
}

var xmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlReplacer.Replace(s) }

// writeXML sends an API response the way Grails renders text/xml.
func writeXML(w http.ResponseWriter, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
}

func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

// errorXML is api-error.ftlx.
func errorXML(key, msg string) string {
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "FAILED")
	x.elem("messageKey", key)
	x.elem("message", msg)
	x.close("response")
	return x.String()
}

// errorsXML is the legacy multi-error form (api-errors.ftlx), still used by
// create for nonUniqueVoiceBridge.
func errorsXML(key, msg string) string {
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", "FAILED")
	x.open("errors")
	x.open("error")
	x.elem("key", key)
	x.elem("message", msg)
	x.close("error")
	x.close("errors")
	x.close("response")
	return x.String()
}

// messageXML is the returncode/messageKey/message shape used by end and
// insertDocument.
func messageXML(code, key, msg string) string {
	var x xmlBuilder
	x.open("response")
	x.elem("returncode", code)
	x.elem("messageKey", key)
	x.elem("message", msg)
	x.close("response")
	return x.String()
}

// nginx413 is what nginx answers for a body over client_max_body_size:
// HTML, not API XML.
const nginx413 = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
