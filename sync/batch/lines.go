package batch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The revision lines of a batch, and how a receiver checks them in one pass.
//
// A revision's id is the SHA-256 of its canonical encoding (survey.Revision: every field
// but the id, in a fixed order, compact JSON as encoding/json writes it). Version 2 ships
// exactly that encoding, so a receiver checks a line by checking that it IS canonical (one
// scan, no reflection) and hashing it; the id is not shipped. Two things differ from the
// hashed bytes, both cheap to undo while hashing: a replaced revision that is on an earlier
// line of the same batch is written "@N" (N its line number, from 1) instead of its 64 hex
// digits, which gzip cannot shrink — and it must be, so that every batch has one encoding.
//
// Version 1 lines are the revision's JSON with its id first and key, author and replaces
// left out when empty; a receiver checks them by the same scan, rebuilding the hashed
// bytes from the received ones, and falls back to decoding a line with encoding/json and
// survey.Revision.Verify when the scan does not recognise it (a line no fieldsurvey writes,
// which that path accepts or refuses exactly as before).

// encodeRevisions returns the content of a batch of version v holding revs (sorted,
// unique, verified).
func encodeRevisions(revs []survey.Revision, v int) ([]byte, error) {
	var buf bytes.Buffer
	if v == FormatVersion1 {
		for _, r := range revs {
			b, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("encode revision %.12s: %w", r.ID, err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
		return buf.Bytes(), nil
	}
	line := map[string]int{} // id → line number, for the revisions already written
	for i, r := range revs {
		var val bytes.Buffer
		if err := json.Compact(&val, r.Value); err != nil {
			return nil, fmt.Errorf("encode revision %.12s: value: %w", r.ID, err)
		}
		rep := make([]string, len(r.Replaces))
		for k, p := range r.Replaces {
			switch n, ok := line[p]; {
			case ok:
				rep[k] = "@" + strconv.Itoa(n)
			case strings.HasPrefix(p, "@"):
				return nil, fmt.Errorf("encode revision %.12s: replaces %q, which is not a revision id", r.ID, p)
			default:
				rep[k] = p
			}
		}
		b, err := json.Marshal(lineV2{r.Interview, r.Kind, r.Key, val.Bytes(), r.Device, r.Counter,
			r.Time.UTC().Format(survey.TimeFormat), r.Author, rep})
		if err != nil {
			return nil, fmt.Errorf("encode revision %.12s: %w", r.ID, err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
		line[r.ID] = i + 1
	}
	return buf.Bytes(), nil
}

// lineV2 is a version 2 line: survey.Revision's hashed encoding, field for field.
type lineV2 struct {
	Interview string          `json:"interview"`
	Kind      survey.Kind     `json:"kind"`
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
	Device    string          `json:"device"`
	Counter   uint64          `json:"counter"`
	Time      string          `json:"time"`
	Author    string          `json:"author"`
	Replaces  []string        `json:"replaces"`
}

// lineDecoder decodes the lines of one batch, in order. What the revisions it returns hold
// is allocated in blocks (values in arena, replaced ids in reps, repeated strings once), not
// a few objects a revision: a server decodes thousands of revisions a second, and the
// garbage collector's work grows with the number of objects.
type lineDecoder struct {
	version int
	n       int                 // lines decoded
	ids     map[string]int      // id → line number
	byLine  []string            // line number - 1 → id
	strs    map[string]interned // by the string as received
	arena   []byte
	reps    []string // room for the replaced ids of the next lines
	lines   int      // the number of lines expected
	canon   []byte   // the hashed encoding of the current line
	// prev holds the interview id, kind, device and author of the line before, as
	// received (raw) and decoded; lastKey is the raw form text last returned.
	prev    [4]interned
	lastKey string
}

// newLineDecoder returns a decoder of lines of the given version, with room for about
// size bytes of values.
func newLineDecoder(version int, size int64) *lineDecoder {
	d := &lineDecoder{strs: map[string]interned{}}
	d.reset(version, size)
	return d
}

// reset readies d for a batch of the given version with about size bytes of values.
func (d *lineDecoder) reset(version int, size int64) {
	// About one line per 250 bytes of content (a DGRA batch has 480, a short one 200).
	d.version, d.lines, d.arena = version, int(min(size/250, 1<<16)), make([]byte, 0, size)
	if version != FormatVersion1 && d.ids == nil {
		d.ids, d.byLine = make(map[string]int, d.lines), make([]string, 0, d.lines)
	}
}

// lineDecoders keeps the tables of decoders released (release): the maps and buffers a
// decoder uses only while it decodes.
var lineDecoders sync.Pool // *lineDecoder

// getLineDecoder is newLineDecoder, reusing the tables of a released decoder.
func getLineDecoder(version int, size int64) *lineDecoder {
	d, _ := lineDecoders.Get().(*lineDecoder)
	if d == nil {
		return newLineDecoder(version, size)
	}
	d.reset(version, size)
	return d
}

// release gives d's tables back for another batch. What the revisions decoded hold (the
// arena, the replaced ids, the strings) stays theirs.
func (d *lineDecoder) release() {
	if len(d.ids) > 1<<16 || len(d.strs) > 4096 || cap(d.canon) > 1<<20 {
		return // a batch out of the ordinary: not worth keeping
	}
	clear(d.ids)
	clear(d.strs)
	clear(d.byLine)
	d.n, d.byLine, d.arena, d.reps, d.prev, d.lastKey = 0, d.byLine[:0], nil, nil, [4]interned{}, ""
	lineDecoders.Put(d)
}

// Literals of the hashed encoding.
var (
	litInterview = []byte(`{"interview":`)
	litKind      = []byte(`,"kind":`)
	litKey       = []byte(`,"key":`)
	litValue     = []byte(`,"value":`)
	litDevice    = []byte(`,"device":`)
	litCounter   = []byte(`,"counter":`)
	litTime      = []byte(`,"time":`)
	litAuthor    = []byte(`,"author":`)
	litReplaces  = []byte(`,"replaces":[`)
	litEmpty     = []byte(`""`)
	litEnd       = []byte(`]}`)
)

// errNotCanonical: the scan did not recognise the line (what, in English, and vi).
type errNotCanonical struct{ what, vi string }

func (e errNotCanonical) Error() string { return e.what }

// decode checks and decodes the next line (without its newline). The error is the
// message of a malformed line.
func (d *lineDecoder) decode(line []byte) (survey.Revision, error) {
	d.n++
	r, err := d.scan(line)
	if err != nil {
		var nc errNotCanonical
		if d.version == FormatVersion1 && errors.As(err, &nc) {
			r, err = decodeSlow(line)
		} else if errors.As(err, &nc) {
			err = &failure{"not in canonical form: " + nc.what, "không ở dạng chuẩn: " + nc.vi, nil}
		}
		if err != nil {
			return survey.Revision{}, err
		}
	}
	if d.version != FormatVersion1 { // only version 2 lines refer to earlier lines
		d.ids[r.ID] = d.n
		d.byLine = append(d.byLine, r.ID)
	}
	return r, nil
}

// decodeSlow decodes a version 1 line with encoding/json and verifies it.
func decodeSlow(line []byte) (survey.Revision, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var r survey.Revision
	if err := dec.Decode(&r); err != nil {
		t := jsonText(err)
		return r, &failure{t.Get(survey.LangEN), t.Get(survey.LangVI), nil}
	}
	if dec.More() {
		return r, failf("more than one JSON value", "nhiều hơn một giá trị JSON")
	}
	// The form first, for its message in both languages; then the id (and anything
	// survey.Revision.Verify checks that checkForm does not yet).
	if err := checkForm(r); err != nil {
		return r, err
	}
	if err := r.Verify(); errors.Is(err, survey.ErrBadRevisionID) {
		return r, &failure{err.Error(), fmt.Sprintf("mã thay đổi %.12s không khớp với nội dung của nó", r.ID), err}
	} else if err != nil {
		return r, &failure{err.Error(), "thay đổi sai định dạng", err}
	}
	return r, nil
}

// scan is the one-pass check of a line: its layout, every string and the value in the
// form encoding/json writes, the hash of the canonical encoding (rebuilt from the line's
// own bytes), and the form checks of survey.Revision.Verify.
func (d *lineDecoder) scan(line []byte) (survey.Revision, error) {
	s := lineScanner{b: line}
	h := hashed{d.canon[:0]}
	var r survey.Revision
	var idRaw []byte
	v1 := d.version == FormatVersion1
	if v1 {
		if !s.lit(`{"id":`) {
			return r, s.fail(`"id"`, `trường "id"`)
		}
		if idRaw = s.str(); idRaw == nil || len(idRaw) != 66 {
			return r, s.fail("the id", "mã (id)")
		}
		if !s.lit(`,"interview":`) {
			return r, s.fail(`"interview"`, `trường "interview"`)
		}
	} else if !s.lit(`{"interview":`) {
		return r, s.fail(`"interview"`, `trường "interview"`)
	}
	h.Write(litInterview)
	var err error
	// field reads a string field; those of index 0-3 usually repeat the previous line's.
	field := func(name, nameVI string, i int, raw []byte) (string, error) {
		if raw == nil {
			return "", s.fail("the "+name, nameVI)
		}
		h.Write(raw)
		if i >= 0 && d.prev[i].raw == string(raw) {
			return d.prev[i].text, nil
		}
		v, err := d.text(raw)
		if i >= 0 && err == nil {
			d.prev[i] = interned{d.lastKey, v}
		}
		return v, err
	}
	if r.Interview, err = field("interview id", "mã cuộc phỏng vấn (interview)", 0, s.str()); err != nil {
		return r, err
	}
	if !s.lit(`,"kind":`) {
		return r, s.fail(`"kind"`, `trường "kind"`)
	}
	h.Write(litKind)
	kind, err := field("kind", "loại (kind)", 1, s.str())
	if err != nil {
		return r, err
	}
	r.Kind = survey.Kind(kind)
	h.Write(litKey)
	switch {
	case s.lit(`,"key":`):
		if r.Key, err = field("key", "khoá (key)", -1, s.str()); err != nil {
			return r, err
		}
		if v1 && r.Key == "" {
			return r, s.fail("an empty key", "khoá (key) rỗng")
		}
	case v1:
		h.Write(litEmpty)
	default:
		return r, s.fail(`"key"`, `trường "key"`)
	}
	if !s.lit(`,"value":`) {
		return r, s.fail(`"value"`, `trường "value"`)
	}
	h.Write(litValue)
	val := s.value()
	if val == nil {
		return r, s.fail("the value", "giá trị (value)")
	}
	h.Write(val)
	start := len(d.arena)
	d.arena = append(d.arena, val...)
	r.Value = d.arena[start:len(d.arena):len(d.arena)]
	if !s.lit(`,"device":`) {
		return r, s.fail(`"device"`, `trường "device"`)
	}
	h.Write(litDevice)
	if r.Device, err = field("device", "thiết bị (device)", 2, s.str()); err != nil {
		return r, err
	}
	if !s.lit(`,"counter":`) {
		return r, s.fail(`"counter"`, `trường "counter"`)
	}
	h.Write(litCounter)
	num := s.uint()
	if num == nil {
		return r, s.fail("the counter", "bộ đếm (counter)")
	}
	h.Write(num)
	if r.Counter, err = strconv.ParseUint(string(num), 10, 64); err != nil {
		return r, s.fail("the counter", "bộ đếm (counter)")
	}
	if !s.lit(`,"time":`) {
		return r, s.fail(`"time"`, `trường "time"`)
	}
	h.Write(litTime)
	tr := s.str()
	if len(tr) != len(survey.TimeFormat)+2 {
		return r, s.fail("the time", "thời điểm (time)")
	}
	h.Write(tr)
	var ok bool
	if r.Time, ok = parseTime(tr[1 : len(tr)-1]); !ok {
		return r, s.fail("the time", "thời điểm (time)")
	}
	h.Write(litAuthor)
	switch {
	case s.lit(`,"author":`):
		if r.Author, err = field("author", "tác giả (author)", 3, s.str()); err != nil {
			return r, err
		}
		if v1 && r.Author == "" {
			return r, s.fail("an empty author", "tác giả (author) rỗng")
		}
	case v1:
		h.Write(litEmpty)
	default:
		return r, s.fail(`"author"`, `trường "author"`)
	}
	h.Write(litReplaces)
	switch {
	case s.lit(`,"replaces":[`):
		if cap(d.reps)-len(d.reps) < 16 {
			// Blocks of about one id a line (a DGRA interview's 118 lines replace ~80).
			d.reps = make([]string, 0, max(64, min(1024, d.lines)))
		}
		first := len(d.reps)
		for k := 0; ; k++ {
			if s.lit("]") {
				if v1 && k == 0 {
					return r, s.fail("empty replaces", "danh sách replaces rỗng")
				}
				break
			}
			if k > 0 {
				if !s.lit(",") {
					return r, s.fail("the replaces", "danh sách replaces")
				}
				h.b = append(h.b, ',')
			}
			raw := s.str()
			if raw == nil {
				return r, s.fail("the replaces", "danh sách replaces")
			}
			id, err := d.text(raw)
			if err != nil {
				return r, err
			}
			if !v1 && strings.HasPrefix(id, "@") {
				n := lineNumber(id[1:])
				if n < 1 || n > len(d.byLine) {
					return r, failf("replaces %s, which is no earlier line", "thay thế %s, không phải một dòng phía trước", strconv.Quote(clip(id)))
				}
				id = d.byLine[n-1]
				h.b = append(append(append(h.b, '"'), id...), '"')
			} else {
				if n, ok := d.ids[id]; ok && !v1 {
					return r, s.fail(fmt.Sprintf("replaces %.12s written in full, not as @%d", id, n), fmt.Sprintf("thay thế %.12s được viết đầy đủ, không phải @%d", id, n))
				}
				h.Write(raw)
			}
			d.reps = append(d.reps, id)
		}
		if len(d.reps) > first {
			r.Replaces = d.reps[first:len(d.reps):len(d.reps)]
		}
	case v1:
	default:
		return r, s.fail(`"replaces"`, `trường "replaces"`)
	}
	h.Write(litEnd)
	if !s.lit("}") || s.i != len(line) {
		return r, s.fail("the end of the line", "cuối dòng")
	}
	if err := checkForm(r); err != nil {
		return r, err
	}
	d.canon = h.b // kept for the next line
	sum := sha256.Sum256(h.b)
	var id [64]byte
	hex.Encode(id[:], sum[:])
	r.ID = string(id[:])
	if v1 && string(idRaw[1:65]) != r.ID {
		// Not necessarily a bad id: let the slow path say.
		return r, errNotCanonical{"the id", "mã (id)"}
	}
	return r, nil
}

// lineNumber reads the N of a reference "@N" to an earlier line, written as strconv.Itoa
// writes it (digits, no leading zero), or returns 0.
func lineNumber(s string) int {
	if len(s) == 0 || len(s) > 9 || s[0] == '0' {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// parseTime reads a time written in survey.TimeFormat ("2006-01-02T15:04:05.000Z"), the
// only form a canonical line holds: every field in range, so that formatting the time gives
// the same bytes back.
func parseTime(b []byte) (time.Time, bool) {
	if len(b) != len(survey.TimeFormat) || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[23] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec, ms := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19), num(20, 23)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), time.UTC)
	if t.Day() != d { // 30 February
		return time.Time{}, false
	}
	return t, true
}

// checkForm makes the checks of survey.Revision.Verify other than the id's.
func checkForm(r survey.Revision) error {
	switch {
	case r.Interview == "":
		return badRevision(bi("no interview id", "không có mã cuộc phỏng vấn"))
	case !r.Kind.Valid():
		return badRevision(bi("unknown kind %q", "loại (kind) %q không xác định", r.Kind))
	case r.Kind.Keyed() && r.Key == "":
		return badRevision(bi("%s revision without key", "thay đổi loại %s không có khoá (key)", r.Kind))
	case r.Kind == survey.KindRow && !survey.ValidRowKey(r.Key):
		return badRevision(bi("row revision keyed %q, not QUESTION/ROW", "thay đổi loại row có khoá (key) %q, không phải CÂU_HỎI/DÒNG", r.Key))
	case r.Device == "":
		return badRevision(bi("no device", "không có thiết bị"))
	case !slices.IsSorted(r.Replaces):
		return badRevision(bi("replaces not sorted", "danh sách replaces chưa được sắp xếp"))
	}
	return nil
}

// text returns the Go string of a canonical JSON string (raw, with its quotes), the same
// string for the same bytes within a batch (interview ids, devices and authors repeat on
// every line).
func (d *lineDecoder) text(raw []byte) (string, error) {
	if e, ok := d.strs[string(raw)]; ok {
		d.lastKey = e.raw
		return e.text, nil
	}
	k := string(raw) // one string for the key and (without escapes) the value
	v := k[1 : len(k)-1]
	if bytes.IndexByte(raw, '\\') >= 0 {
		// An escape: canonical only if encoding/json writes it so.
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", errNotCanonical{"a string", "một chuỗi"}
		}
		if b, err := json.Marshal(v); err != nil || !bytes.Equal(b, raw) {
			return "", errNotCanonical{"a string escaped as encoding/json does not escape it", "một chuỗi có ký tự thoát khác với cách encoding/json viết"}
		}
	}
	if len(d.strs) < 4096 {
		d.strs[k] = interned{k, v}
	}
	d.lastKey = k
	return v, nil
}

// hashed gathers the encoding a line's id is the hash of.
type hashed struct{ b []byte }

func (h *hashed) Write(p []byte) { h.b = append(h.b, p...) }

// interned is a string of the lines as received (raw, with its quotes) and decoded.
type interned struct{ raw, text string }

// lineScanner reads the fixed layout of a line.
type lineScanner struct {
	b []byte
	i int
}

func (s *lineScanner) fail(what, vi string) error {
	return errNotCanonical{fmt.Sprintf("%s at byte %d", what, s.i+1), fmt.Sprintf("%s ở byte %d", vi, s.i+1)}
}

func (s *lineScanner) lit(p string) bool {
	if len(s.b)-s.i >= len(p) && string(s.b[s.i:s.i+len(p)]) == p {
		s.i += len(p)
		return true
	}
	return false
}

// str scans a JSON string as encoding/json writes it (HTML characters, U+2028 and U+2029
// escaped, valid UTF-8, no control characters) and returns it with its quotes, or nil.
// Escapes are checked for syntax only here: text checks that they are the canonical ones.
func (s *lineScanner) str() []byte {
	start := s.i
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil
	}
	if s.skipString() {
		return s.b[start:s.i]
	}
	return nil
}

// skipString moves past the string at s.i, reporting whether it is well formed and has no
// character encoding/json escapes (HTML characters, U+2028, U+2029).
func (s *lineScanner) skipString() bool {
	b := s.b
	i := s.i + 1
	for {
		// The bytes a string holds as they are, eight at a time while they last.
		for i+8 <= len(b) && plain[b[i]] && plain[b[i+1]] && plain[b[i+2]] && plain[b[i+3]] &&
			plain[b[i+4]] && plain[b[i+5]] && plain[b[i+6]] && plain[b[i+7]] {
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			s.i = i
			return false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return true
		case c == '\\':
			if i+1 >= len(b) {
				s.i = i
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					s.i = i
					return false
				}
				for _, h := range b[i+2 : i+6] {
					if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h)) {
						s.i = i
						return false
					}
				}
				i += 6
			default:
				s.i = i
				return false
			}
		case c < utf8.RuneSelf: // a control character or an HTML one
			s.i = i
			return false
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
				s.i = i
				return false
			}
			i += n
		}
	}
}

// plain tells the bytes a canonical string holds as they are: ASCII from space on, but
// the quote, the backslash and the HTML characters encoding/json escapes.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return t
}()

// uint scans a counter: digits without a leading zero.
func (s *lineScanner) uint() []byte {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == start || s.i-start > 1 && s.b[start] == '0' {
		return nil
	}
	return s.b[start:s.i]
}

// value scans a JSON value as a revision's canonical encoding holds it (compact, HTML
// characters and U+2028/U+2029 in strings escaped, as encoding/json writes a RawMessage)
// and returns it, or nil (with s.i at its start). It accepts what encoding/json.Valid
// accepts, without whitespace, in one pass (json.Valid's state machine took two thirds of
// the scan); TestValueAsJSONValid holds it to that.
func (s *lineScanner) value() []byte {
	start := s.i
	if !s.skipValue(0) || s.i < len(s.b) && s.b[s.i] != ',' && s.b[s.i] != '}' && s.b[s.i] != ']' {
		s.i = start
		return nil
	}
	return s.b[start:s.i]
}

// maxNesting is encoding/json's limit of nested arrays and objects.
const maxNesting = 10000

// skipValue moves past the JSON value at s.i, inside depth arrays and objects, reporting
// whether it is well formed and without whitespace.
func (s *lineScanner) skipValue(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{' || c == '[':
		if depth+1 > maxNesting {
			return false
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		if s.i < len(s.b) && s.b[s.i] == end {
			s.i++
			return true
		}
		for {
			if c == '{' {
				if s.i >= len(s.b) || s.b[s.i] != '"' || !s.skipString() || s.i >= len(s.b) || s.b[s.i] != ':' {
					return false
				}
				s.i++
			}
			if !s.skipValue(depth + 1) {
				return false
			}
			switch {
			case s.i >= len(s.b):
				return false
			case s.b[s.i] == ',':
				s.i++
			case s.b[s.i] == end:
				s.i++
				return true
			default:
				return false
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		return s.skipNumber()
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	}
	return false
}

// skipNumber moves past a JSON number at s.i: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *lineScanner) skipNumber() bool {
	digits := func() bool {
		start := s.i
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
		return s.i > start
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i >= len(s.b):
		return false
	case s.b[s.i] == '0':
		s.i++
	case !digits():
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !digits() {
			return false
		}
	}
	return true
}

// badRevision is a revision survey.Revision.Verify refuses (survey.ErrBadRevision), what is
// wrong with it in English and Vietnamese.
func badRevision(t survey.Text) error {
	return &failure{survey.ErrBadRevision.Error() + ": " + t.Get(survey.LangEN), "thay đổi sai định dạng: " + t.Get(survey.LangVI), survey.ErrBadRevision}
}
