package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Code is a stable, machine-readable error code. Codes never change meaning; new ones may be
// added.
type Code string

// The error codes of the protocol.
const (
	CodeMalformed            Code = "malformed_request"     // the request cannot be understood
	CodeUnsupportedProtocol  Code = "unsupported_protocol"  // protocol version outside the server's range
	CodeLengthRequired       Code = "length_required"       // upload without Content-Length
	CodeTooLarge             Code = "too_large"             // body over the size limit
	CodeNotFound             Code = "not_found"             // no such endpoint or thing
	CodeMethodNotAllowed     Code = "method_not_allowed"    // wrong HTTP method
	CodeTokenUnknown         Code = "token_unknown"         // enrolment token not issued by this server
	CodeTokenUsed            Code = "token_used"            // enrolment token already used
	CodeTokenExpired         Code = "token_expired"         // enrolment token expired
	CodeDeviceExists         Code = "device_exists"         // device id already enrolled with another key
	CodeDeviceUnknown        Code = "device_unknown"        // device not enrolled
	CodeDeviceRevoked        Code = "device_revoked"        // device revoked by the administrator
	CodeAuthFailed           Code = "auth_failed"           // request signature missing or wrong
	CodeClockSkew            Code = "clock_skew"            // request time too far from the server's clock
	CodeWrongSigner          Code = "wrong_signer"          // batch not signed by the sending device's key
	CodeBadSignature         Code = "bad_signature"         // batch signature does not verify
	CodePayloadHash          Code = "payload_hash"          // batch payload does not match its manifest
	CodeNotBatch             Code = "not_batch"             // body is not a batch file, or is truncated
	CodeUnsupportedVersion   Code = "unsupported_version"   // batch format version unknown
	CodeUnknownQuestionnaire Code = "unknown_questionnaire" // batch refers to a questionnaire the server does not know
	CodeBadBatch             Code = "bad_batch"             // batch fails another check (bad revision, …)
	CodeBatchConflict        Code = "batch_conflict"        // same batch id, other content
	CodeDecisionNotAllowed   Code = "decision_not_allowed"  // batch carries a decision its signer's role does not make
	CodeOutOfScope           Code = "out_of_scope"          // batch carries a supervisor's decision or assignment outside its provinces
	CodeRoleMismatch         Code = "role_mismatch"         // enrolment token made for another role than the device's home
	CodeTimeout              Code = "timeout"               // the request took too long
	CodeUnavailable          Code = "unavailable"           // server shutting down or overloaded
	CodeInternal             Code = "internal"              // a fault on the server
)

type codeInfo struct {
	status    int
	retryable bool
	en, vi    string
}

var codes = map[Code]codeInfo{
	CodeMalformed: {http.StatusBadRequest, false,
		"the request is malformed; update fieldsurvey on this device, and report it if it persists",
		"yêu cầu không hợp lệ; hãy cập nhật fieldsurvey trên máy này và báo lại nếu lỗi vẫn còn"},
	CodeUnsupportedProtocol: {http.StatusBadRequest, false,
		"this device and the server speak different protocol versions; update fieldsurvey on the device or the server",
		"máy này và máy chủ dùng phiên bản giao thức khác nhau; hãy cập nhật fieldsurvey trên máy này hoặc trên máy chủ"},
	CodeLengthRequired: {http.StatusLengthRequired, false,
		"the upload has no Content-Length; send the batch file as one body of known size",
		"dữ liệu gửi lên không có Content-Length; hãy gửi tệp lô với kích thước xác định"},
	CodeTooLarge: {http.StatusRequestEntityTooLarge, false,
		"the upload is larger than the server accepts; make smaller batches or ask the administrator to raise the limit",
		"dữ liệu gửi lên lớn hơn mức máy chủ chấp nhận; hãy tạo các lô nhỏ hơn hoặc đề nghị quản trị viên nâng giới hạn"},
	CodeNotFound: {http.StatusNotFound, false,
		"there is nothing at this address; check the server URL",
		"không có gì tại địa chỉ này; hãy kiểm tra URL của máy chủ"},
	CodeMethodNotAllowed: {http.StatusMethodNotAllowed, false,
		"this address does not accept this kind of request",
		"địa chỉ này không chấp nhận loại yêu cầu này"},
	CodeTokenUnknown: {http.StatusUnauthorized, false,
		"the enrolment token is not one this server issued; check that you copied it whole and that the server URL is right",
		"mã đăng ký không phải do máy chủ này cấp; hãy kiểm tra đã sao chép đủ mã và URL máy chủ đúng"},
	CodeTokenUsed: {http.StatusGone, false,
		"the enrolment token has already been used; ask the administrator for a new one",
		"mã đăng ký đã được sử dụng; hãy xin quản trị viên một mã mới"},
	CodeTokenExpired: {http.StatusGone, false,
		"the enrolment token has expired; ask the administrator for a new one",
		"mã đăng ký đã hết hạn; hãy xin quản trị viên một mã mới"},
	CodeDeviceExists: {http.StatusConflict, false,
		"a device with this id is already enrolled with another key; ask the administrator to revoke it first",
		"một thiết bị có mã này đã được đăng ký với khóa khác; hãy đề nghị quản trị viên thu hồi thiết bị đó trước"},
	CodeDeviceUnknown: {http.StatusForbidden, false,
		"this device is not enrolled with the server; run `fieldsurvey enroll` with a token from the administrator",
		"thiết bị này chưa được đăng ký với máy chủ; hãy chạy `fieldsurvey enroll` với mã do quản trị viên cấp"},
	CodeDeviceRevoked: {http.StatusForbidden, false,
		"this device has been revoked by the administrator; contact the supervisor, and hand over unsent batches as files (`fieldsurvey batch create --out DIR`)",
		"thiết bị này đã bị quản trị viên thu hồi; hãy liên hệ giám sát viên và chuyển các lô chưa gửi dưới dạng tệp (`fieldsurvey batch create --out DIR`)"},
	CodeAuthFailed: {http.StatusUnauthorized, false,
		"the request is not signed by this device's enrolled key; enrol the device again",
		"yêu cầu không được ký bằng khóa đã đăng ký của thiết bị; hãy đăng ký lại thiết bị"},
	CodeClockSkew: {http.StatusUnauthorized, false,
		"this device's clock is too far from the server's; set the date and time on the device and try again",
		"đồng hồ của thiết bị lệch quá nhiều so với máy chủ; hãy chỉnh ngày giờ trên thiết bị rồi thử lại"},
	CodeWrongSigner: {http.StatusForbidden, false,
		"the batch is not signed by the key enrolled for the device that sent it",
		"lô dữ liệu không được ký bằng khóa đã đăng ký của thiết bị gửi nó"},
	CodeBadSignature: {http.StatusUnprocessableEntity, false,
		"the batch signature does not verify; the file was altered or damaged: make it again from the device",
		"chữ ký của lô không hợp lệ; tệp đã bị thay đổi hoặc hỏng: hãy tạo lại từ thiết bị"},
	CodePayloadHash: {http.StatusUnprocessableEntity, false,
		"the batch content does not match its signed manifest; the file was altered or damaged",
		"nội dung lô không khớp với bản kê khai đã ký; tệp đã bị thay đổi hoặc hỏng"},
	CodeNotBatch: {http.StatusUnprocessableEntity, false,
		"the upload is not a complete batch file; it may be truncated",
		"dữ liệu gửi lên không phải là một tệp lô hoàn chỉnh; có thể bị cắt cụt"},
	CodeUnsupportedVersion: {http.StatusUnprocessableEntity, false,
		"the batch is in a format version the server does not read; update fieldsurvey on the server",
		"lô ở phiên bản định dạng mà máy chủ không đọc được; hãy cập nhật fieldsurvey trên máy chủ"},
	CodeUnknownQuestionnaire: {http.StatusUnprocessableEntity, false,
		"the batch refers to a questionnaire version the server does not know; publish it on the server first",
		"lô tham chiếu một phiên bản bảng hỏi mà máy chủ không biết; hãy công bố bảng hỏi đó trên máy chủ trước"},
	CodeBadBatch: {http.StatusUnprocessableEntity, false,
		"the batch fails a check and was not stored",
		"lô không qua được một bước kiểm tra và không được lưu"},
	CodeBatchConflict: {http.StatusConflict, false,
		"the server holds another batch with this id; do not edit batch files by hand, and report this to the supervisor",
		"máy chủ đã có một lô khác với cùng mã; đừng sửa tệp lô bằng tay và hãy báo cho giám sát viên"},
	CodeDecisionNotAllowed: {http.StatusForbidden, false,
		"the batch approves, returns or reopens an interview, which only a supervisor's device may do; it was not stored",
		"lô dữ liệu duyệt, trả lại hoặc mở lại một cuộc phỏng vấn, việc chỉ thiết bị của người giám sát được làm; lô không được lưu"},
	CodeOutOfScope: {http.StatusForbidden, false,
		"the batch holds a supervisor's decision or assignment on an interview outside the provinces this supervisor was enrolled for; it was not stored: ask the administrator for a token with a wider scope",
		"lô dữ liệu chứa quyết định hoặc phân công của người giám sát về một cuộc phỏng vấn ngoài các tỉnh được giao khi đăng ký; lô không được lưu: hãy xin quản trị viên mã đăng ký với phạm vi rộng hơn"},
	CodeRoleMismatch: {http.StatusConflict, false,
		"the enrolment token was made for another role than this device's; it was not used",
		"mã đăng ký được cấp cho vai trò khác với vai trò của thiết bị này; mã chưa bị sử dụng"},
	CodeTimeout: {http.StatusRequestTimeout, true,
		"the request took too long; the connection may be slow: try again",
		"yêu cầu mất quá nhiều thời gian; kết nối có thể chậm: hãy thử lại"},
	CodeUnavailable: {http.StatusServiceUnavailable, true,
		"the server is not available right now; try again in a moment",
		"máy chủ tạm thời không sẵn sàng; hãy thử lại sau ít phút"},
	CodeInternal: {http.StatusInternalServerError, true,
		"the server had a fault; try again, and tell the administrator if it persists",
		"máy chủ gặp sự cố; hãy thử lại và báo quản trị viên nếu lỗi vẫn còn"},
}

// Codes returns every known code.
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// HTTPStatus is the HTTP status the server answers with for code (500 for an unknown code).
func HTTPStatus(c Code) int {
	if i, ok := codes[c]; ok {
		return i.status
	}
	return http.StatusInternalServerError
}

// Retryable reports whether a request that failed with code may succeed if sent again
// unchanged (faults on the way or on the server), as opposed to a refusal.
func (c Code) Retryable() bool { return codes[c].retryable }

// Error is an error of the protocol: a stable code and a sentence a person can act on, in
// English and Vietnamese. It is the body of every error response:
//
//	{"error":{"code":"device_revoked","message":"…","message_vi":"…"}}
type Error struct {
	Code      Code   `json:"code"`
	Message   string `json:"message"`
	MessageVI string `json:"message_vi,omitempty"`
	// Status is the HTTP status the error came with (client side only).
	Status int `json:"-"`
	// Refusal, on the refusal of a batch whose signature verified with its device's key,
	// is the server's signed refusal (see Refusal); it travels beside the error in the body.
	Refusal *SignedRefusal `json:"-"`
}

// NewError returns the error of code with its standard sentences, and detail (if any)
// appended to both: what exactly was wrong.
func NewError(c Code, detail string) *Error {
	i, ok := codes[c]
	if !ok {
		i = codes[CodeInternal]
	}
	e := &Error{Code: c, Message: i.en, MessageVI: i.vi, Status: HTTPStatus(c)}
	if detail != "" {
		e.Message += " (" + detail + ")"
		e.MessageVI += " (" + detail + ")"
	}
	return e
}

// Errorf is NewError with a formatted detail.
func Errorf(c Code, format string, args ...any) *Error {
	return NewError(c, fmt.Sprintf(format, args...))
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, wire.ErrDeviceRevoked) and the like match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Retryable reports whether the request may succeed if sent again.
func (e *Error) Retryable() bool { return e.Code.Retryable() }

// Sentinels to compare with errors.Is.
var (
	ErrTokenUnknown  = &Error{Code: CodeTokenUnknown}
	ErrTokenUsed     = &Error{Code: CodeTokenUsed}
	ErrTokenExpired  = &Error{Code: CodeTokenExpired}
	ErrDeviceUnknown = &Error{Code: CodeDeviceUnknown}
	ErrDeviceRevoked = &Error{Code: CodeDeviceRevoked}
	ErrDeviceExists  = &Error{Code: CodeDeviceExists}
	ErrWrongSigner   = &Error{Code: CodeWrongSigner}
	ErrBatchConflict = &Error{Code: CodeBatchConflict}
	ErrTooLarge      = &Error{Code: CodeTooLarge}
)

type errorBody struct {
	Error   *Error         `json:"error"`
	Refusal *SignedRefusal `json:"refusal,omitempty"`
}

// Body returns the JSON body of an error response for err (with its signed refusal, if any).
func (e *Error) Body() []byte {
	b, err := json.Marshal(errorBody{Error: e, Refusal: e.Refusal})
	if err != nil {
		panic(fmt.Sprintf("encode error body: %v", err))
	}
	return append(b, '\n')
}

// FromResponse turns an error response (status and body) back into an *Error. A body that is
// not a protocol error (a proxy's HTML page, a cut connection) gives the error of the code
// that best matches the status, so that retry decisions still work.
func FromResponse(status int, body []byte) *Error {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil && eb.Error != nil && eb.Error.Code != "" {
		eb.Error.Status = status
		eb.Error.Refusal = eb.Refusal
		return eb.Error
	}
	var c Code
	switch {
	case status == http.StatusRequestTimeout || status == http.StatusGatewayTimeout:
		c = CodeTimeout
	case status == http.StatusRequestEntityTooLarge:
		c = CodeTooLarge
	case status == http.StatusNotFound:
		c = CodeNotFound
	case status == http.StatusMethodNotAllowed:
		c = CodeMethodNotAllowed
	case status == http.StatusTooManyRequests || status == http.StatusBadGateway || status == http.StatusServiceUnavailable:
		c = CodeUnavailable
	case status >= 500:
		c = CodeInternal
	default:
		c = CodeMalformed
	}
	e := NewError(c, fmt.Sprintf("the server answered %d %s%s", status, http.StatusText(status), snippet(body)))
	e.Status = status
	return e
}

func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	return ": " + truncate(s, 80)
}
