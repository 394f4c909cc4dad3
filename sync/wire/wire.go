// Package wire defines what travels between a fieldsurvey device and the central server:
// the protocol versions, the HTTP headers, the request and response bodies (data transfer
// objects kept apart from the domain types in package survey), the receipt a device keeps as
// proof that a batch arrived, and the stable error codes with the one function that maps a
// code to an HTTP status and the one that turns a response back into an error.
//
// Guarantees: field names and error codes are stable within a protocol version; fields may be
// added, never renamed or given another meaning. A receipt's canonical bytes (what the server
// signs) are the JSON encoding of Receipt with its fields in the order declared here, so the
// same receipt always has the same bytes and the same signature check.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Protocol versions this build speaks. A device sends its version in ProtocolHeader; the
// server refuses a version outside [MinProtocolVersion, MaxProtocolVersion] with
// CodeUnsupportedProtocol, and says which versions it speaks.
const (
	MinProtocolVersion = 1
	MaxProtocolVersion = 1
)

// HTTP headers of the protocol.
const (
	// ProtocolHeader carries the protocol version of the sender.
	ProtocolHeader = "Fieldsurvey-Protocol"
	// DeviceHeader names the device that uploads a batch; the batch's signature must verify
	// against that device's enrolled key. The upload request itself is signed too (AuthHeader,
	// on UploadPath, which carries the declared length), so that the server reserves memory
	// for an upload only once it knows which enrolled device sends it.
	DeviceHeader = "Fieldsurvey-Device"
	// AuthHeader carries a device's signed request (see RequestAuth).
	AuthHeader = "Fieldsurvey-Auth"
	// SignatureHeader carries the server's signature of a response body (base64 of the
	// SSHSIG wire encoding), for the responses that say so.
	SignatureHeader = "Fieldsurvey-Signature"
	// RequestIDHeader carries the id the server gave a request (also in its logs).
	RequestIDHeader = "Fieldsurvey-Request-Id"
)

// Content types.
const (
	ContentTypeJSON  = "application/json"
	ContentTypeBatch = "application/vnd.fieldsurvey.batch"
)

// SSHSIG namespaces: each kind of signed thing has its own, so that a signature made for one
// purpose is never accepted for another.
const (
	NamespaceReceipt       = "fieldsurvey-receipt"       // a receipt, signed by the server
	NamespaceEnroll        = "fieldsurvey-enroll"        // an enrolment response, signed by the server
	NamespaceInbox         = "fieldsurvey-inbox"         // an inbox response, signed by the server
	NamespaceQuestionnaire = "fieldsurvey-questionnaire" // a published questionnaire file, signed by the server
	NamespaceRequest       = "fieldsurvey-request"       // a device's signed request
	NamespaceRefusal       = "fieldsurvey-refusal"       // a refusal of a batch, signed by the server
)

// TimeFormat is how times are written on the wire: UTC with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// FormatTime writes t in TimeFormat.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// Paths of the API.
const (
	PathServer  = "/v1/server"
	PathEnroll  = "/v1/enroll"
	PathBatches = "/v1/batches"
	PathHealth  = "/healthz"
	PathMetrics = "/metrics"
)

// LengthParam is the query parameter of an upload that declares its length in bytes: part
// of the signed request target, it must equal the request's Content-Length.
const LengthParam = "length"

// UploadPath returns the request target of an upload of length bytes: PathBatches with
// LengthParam.
func UploadPath(length int64) string {
	return fmt.Sprintf("%s?%s=%d", PathBatches, LengthParam, length)
}

// Compressed uploads. A server that accepts them says so in every answer to an upload with
// the header "Accept-Encoding: gzip" (RFC 7694); a device that has seen it may send a batch
// gzip-compressed (Content-Encoding: gzip), declaring in the signed request target both the
// compressed length (LengthParam, the Content-Length) and the batch's own length
// (SizeParam), so that the server reserves memory for it before decompressing and refuses
// a body that decompresses to anything else. A server that never said so gets batches
// as they are.
const (
	// SizeParam is the query parameter of a compressed upload that declares the length of
	// the batch once decompressed.
	SizeParam = "size"
	// UploadEncoding is the content coding of compressed uploads.
	UploadEncoding = "gzip"
)

// CompressedUploadPath returns the request target of an upload of a batch of size bytes
// sent gzip-compressed in length bytes.
func CompressedUploadPath(length, size int64) string {
	return fmt.Sprintf("%s?%s=%d&%s=%d", PathBatches, LengthParam, length, SizeParam, size)
}

// InboxPath returns the path of device's inbox.
func InboxPath(device string) string { return "/v1/devices/" + device + "/inbox" }

// ServerInfo is the answer to GET /v1/server: who the server is and what it speaks.
type ServerInfo struct {
	MinProtocol int    `json:"min_protocol"`
	MaxProtocol int    `json:"max_protocol"`
	Key         string `json:"key"`         // the server's public key, authorized_keys format
	Fingerprint string `json:"fingerprint"` // SHA256:… as ssh-keygen -l prints it
	Time        string `json:"time"`        // the server's clock, TimeFormat
}

// EnrollRequest is the body of POST /v1/enroll.
type EnrollRequest struct {
	Protocol  int    `json:"protocol"`
	Token     string `json:"token"`
	Device    string `json:"device"`     // the device id (config "device")
	Principal string `json:"principal"`  // the signer principal of the device's batches
	PublicKey string `json:"public_key"` // the device key, authorized_keys format ("ssh-ed25519 AAAA…")
	Name      string `json:"name,omitempty"`
	// Role is the role of the device's home ("assessor" or "supervisor"; empty: assessor).
	// The server refuses a token made for another role (CodeRoleMismatch) without using it.
	Role string `json:"role,omitempty"`
}

// EnrollResponse is the answer to a successful enrolment. Its body is signed by the server
// key (SignatureHeader, NamespaceEnroll); the device checks the signature with the key whose
// fingerprint the token carries, and that the response names its own device and key.
type EnrollResponse struct {
	Protocol    int    `json:"protocol"`
	Device      string `json:"device"`
	Principal   string `json:"principal"`
	Assessor    string `json:"assessor"`
	PublicKey   string `json:"public_key"`  // the device key as enrolled
	ServerKey   string `json:"server_key"`  // authorized_keys format
	Fingerprint string `json:"fingerprint"` // of ServerKey
	Enrolled    string `json:"enrolled"`    // TimeFormat
	// Role is the device's role as enrolled ("assessor" or "supervisor"; empty from a server
	// older than roles: assessor), Scope the provinces a supervisor's device covers (empty:
	// all).
	Role  string   `json:"role,omitempty"`
	Scope []string `json:"scope,omitempty"`
	// Supervisors are the allowed_signers lines of the active supervisor devices (other
	// than this one), whose batches the device may trust (keys.TrustedSupervisorsFile).
	Supervisors []string `json:"supervisors"`
}

// ReceiptFormat is the format tag of a receipt.
const ReceiptFormat = "fieldsurvey-receipt/1"

// Receipt says that the server holds a batch. The server signs its canonical bytes
// (Canonical) with its key, namespace NamespaceReceipt.
type Receipt struct {
	Format      string `json:"format"`
	Batch       string `json:"batch"`        // batch id
	Hash        string `json:"hash"`         // SHA-256 of the signed manifest: what identifies the batch's content
	PayloadHash string `json:"payload_hash"` // SHA-256 of the payload, as in the manifest
	Device      string `json:"device"`
	Seq         uint64 `json:"seq"`
	Received    string `json:"received"` // TimeFormat: when the server first stored it
	Revisions   int    `json:"revisions"`
	Added       int    `json:"added"`   // revisions new to the server when it first stored the batch
	Present     int    `json:"present"` // revisions the server already had then
	Server      string `json:"server"`  // fingerprint of the signing key
}

// Canonical returns the bytes of r that the server signs.
func (r Receipt) Canonical() []byte {
	b, err := json.Marshal(r)
	if err != nil { // a struct of strings and integers always encodes
		panic(fmt.Sprintf("encode receipt: %v", err))
	}
	return b
}

// SignedReceipt is the answer to POST /v1/batches: the receipt's canonical bytes and the
// server's armored SSHSIG signature of them. Replay is true when the server already held
// the batch (the receipt is then the one it gave the first time).
type SignedReceipt struct {
	Receipt   json.RawMessage `json:"receipt"`
	Signature string          `json:"signature"`
	Replay    bool            `json:"replay,omitempty"`
}

// ParseReceipt decodes the canonical bytes of a receipt, refusing unknown fields, another
// format, and bytes that are not exactly the canonical encoding of what they decode to.
func ParseReceipt(b []byte) (Receipt, error) {
	var r Receipt
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Receipt{}, fmt.Errorf("decode receipt: %w", err)
	}
	if r.Format != ReceiptFormat {
		return Receipt{}, fmt.Errorf("receipt format is %q, expected %q", r.Format, ReceiptFormat)
	}
	if !bytes.Equal(r.Canonical(), b) {
		return Receipt{}, fmt.Errorf("receipt is not in canonical form")
	}
	return r, nil
}

// Inbox is the answer to GET /v1/devices/{id}/inbox?after=CURSOR: what waits for the device.
// Its body is signed by the server key (SignatureHeader, NamespaceInbox).
type Inbox struct {
	Protocol int    `json:"protocol"`
	Device   string `json:"device"`
	Nonce    string `json:"nonce"` // the nonce of the request it answers
	// Cursor is what the device passes as ?after= next time; More says that more is waiting
	// beyond this page.
	Cursor int64 `json:"cursor"`
	More   bool  `json:"more,omitempty"`
	// Revisions are revisions of the interviews the device holds or is assigned, made
	// anywhere but on the device itself: other devices, supervisors, the server. Each is in
	// the canonical encoding of a revision; a revision may come again (on a later page, or
	// after the device lost its cursor): storing it twice changes nothing.
	Revisions []json.RawMessage `json:"revisions"`
	// Questionnaires are the questionnaire versions the server publishes.
	Questionnaires []Questionnaire `json:"questionnaires"`
	// Supervisors are the allowed_signers lines of the active supervisor devices (other
	// than this one): the device replaces the block the server manages in its
	// keys.TrustedSupervisorsFile with them, so a revoked supervisor drops out. Absent
	// (nil) from a server older than supervisor devices: leave the file alone.
	Supervisors []string `json:"supervisors"`
}

// The inbox body is gzip-compressed (Content-Encoding: gzip) when the request accepts it
// (Accept-Encoding: gzip); SignatureHeader signs the uncompressed JSON.

// Questionnaire is a published questionnaire version: the file as published and the server's
// armored SSHSIG signature of it (NamespaceQuestionnaire).
type Questionnaire struct {
	ID        string `json:"id"`
	Version   string `json:"version"`
	Published string `json:"published"` // TimeFormat
	Source    []byte `json:"source"`    // the YAML file, base64 in JSON
	Signature string `json:"signature"`
}

// Health is the answer to GET /healthz.
type Health struct {
	Status string        `json:"status"`          // "ok" or "unavailable"
	Error  string        `json:"error,omitempty"` // the first failing check's detail
	Checks []HealthCheck `json:"checks,omitempty"`
}

// HealthCheck is one thing /healthz checked: the server is not shutting down ("serving"),
// the store answers ("store"), the store file and the data folder are writable
// ("store_file", "data_folder"), the data folder's file system has room ("free_space").
type HealthCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// RefusalFormat is the format tag of a refusal.
const RefusalFormat = "fieldsurvey-refusal/1"

// Refusal says that the server refused a batch for what it holds, after the batch's
// signature verified with the key enrolled for its device: the batch is genuinely the
// device's, and sending it again gets the same refusal. The server signs its canonical bytes
// (Canonical) with its key, namespace NamespaceRefusal, and keeps it, so that its list of
// devices shows the sequence number as refused, not missing. A device that holds a valid
// refusal for a batch stops sending it (it keeps the batch and its revisions).
type Refusal struct {
	Format    string `json:"format"`
	Batch     string `json:"batch"` // batch id
	Hash      string `json:"hash"`  // SHA-256 of the signed manifest
	Device    string `json:"device"`
	Seq       uint64 `json:"seq"`
	Code      Code   `json:"code"`
	Reason    string `json:"reason"`    // the check that failed, short, in English
	ReasonVI  string `json:"reason_vi"` // the same in Vietnamese
	Message   string `json:"message"`   // the whole sentence, with details, in English
	MessageVI string `json:"message_vi"`
	Refused   string `json:"refused"` // TimeFormat: when the server first refused it
	Server    string `json:"server"`  // fingerprint of the signing key
}

// Canonical returns the bytes of r that the server signs.
func (r Refusal) Canonical() []byte {
	b, err := json.Marshal(r)
	if err != nil { // strings and integers always encode
		panic(fmt.Sprintf("encode refusal: %v", err))
	}
	return b
}

// SignedRefusal is a refusal's canonical bytes and the server's armored SSHSIG signature of
// them. It travels in the error answer to POST /v1/batches, beside the error, and a device
// keeps it next to the refused batch.
type SignedRefusal struct {
	Refusal   json.RawMessage `json:"refusal"`
	Signature string          `json:"signature"`
}

// ParseRefusal decodes the canonical bytes of a refusal, refusing unknown fields, another
// format, and bytes that are not exactly the canonical encoding of what they decode to.
func ParseRefusal(b []byte) (Refusal, error) {
	var r Refusal
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Refusal{}, fmt.Errorf("decode refusal: %w", err)
	}
	if r.Format != RefusalFormat {
		return Refusal{}, fmt.Errorf("refusal format is %q, expected %q", r.Format, RefusalFormat)
	}
	if !bytes.Equal(r.Canonical(), b) {
		return Refusal{}, fmt.Errorf("refusal is not in canonical form")
	}
	return r, nil
}
