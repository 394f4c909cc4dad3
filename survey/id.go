package survey

import (
	"errors"
	"fmt"
	"strconv"
)

// ExampleInterviewID is an interview id of the form fieldsurvey makes, for messages.
const ExampleInterviewID = "0193a5b2-7c1e-7000-8000-000000000001"

// ErrBadInterviewID: an interview id that is not a UUID in the form fieldsurvey writes.
var ErrBadInterviewID = errors.New("not an interview id")

// CheckInterviewID accepts the interview ids fieldsurvey makes and nothing else: a UUID in
// its canonical text form, 8-4-4-4-12 lower-case hexadecimal digits (the program makes
// time-ordered version 7 UUIDs; any version is accepted, so interviews made by other
// programs can be imported). Imports, batches and the server refuse every other id, so
// that no path, control character or look-alike ever travels as an interview id. The
// error wraps ErrBadInterviewID and quotes the id safely (escaped, clipped).
func CheckInterviewID(id string) error {
	if len(id) == 36 {
		ok := true
		for i := 0; i < 36 && ok; i++ {
			c := id[i]
			switch i {
			case 8, 13, 18, 23:
				ok = c == '-'
			default:
				ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
			}
		}
		if ok {
			return nil
		}
	}
	return &badIDError{id: id}
}

// badIDError is the error of CheckInterviewID.
type badIDError struct{ id string }

func (e *badIDError) Error() string {
	q := e.id
	if len(q) > 48 {
		q = q[:48] + "…"
	}
	return fmt.Sprintf("interview id %s is not a UUID like %s", strconv.QuoteToASCII(q), ExampleInterviewID)
}

func (e *badIDError) Is(target error) bool { return target == ErrBadInterviewID }
