package survey

import "fmt"

// StepError is a step of a flow that failed: what was being done, in every language, and
// why. Its Text gives the whole message in every language (the cause's own Text where it
// has one), so a program shows it in the user's language.
type StepError struct {
	What Text
	Err  error
}

// StepErr returns a StepError for err; en and vi are formatted with args.
func StepErr(err error, en, vi string, args ...any) *StepError {
	return &StepError{What: T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...)), Err: err}
}

func (e *StepError) Error() string { return e.What.Get(LangEN) + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// Text returns the message with its cause's in every language.
func (e *StepError) Text() Text {
	cause := T(e.Err.Error(), e.Err.Error())
	if t, ok := e.Err.(interface{ Text() Text }); ok && !t.Text().Empty() {
		cause = t.Text()
	}
	return T(e.What.Get(LangEN)+": "+cause.Get(LangEN), e.What.Get(LangVI)+": "+cause.Get(LangVI))
}
