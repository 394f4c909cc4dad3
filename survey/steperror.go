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
	cause := ErrorText(e.Err)
	return T(e.What.Get(LangEN)+": "+cause.Get(LangEN), e.What.Get(LangVI)+": "+cause.Get(LangVI))
}

// UserError is an error a person reads and can act on: what is wrong (Msg), its cause (Err,
// may be nil) and what to do about it (Hint, may be empty), in every language. A flow
// returns it where it knows the remedy; a program prints Text and then Hint.
type UserError struct {
	Msg  Text
	Err  error
	Hint Text
}

// UserErr returns a UserError with the message formatted from en and vi with args.
func UserErr(en, vi string, args ...any) *UserError {
	return &UserError{Msg: T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))}
}

// WithHint sets the hint (en and vi formatted with args) and returns e.
func (e *UserError) WithHint(en, vi string, args ...any) *UserError {
	e.Hint = T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...))
	return e
}

func (e *UserError) Error() string { return e.Text().Get(LangEN) }

// HintText returns what to do about e (may be empty): a program looks for this method along
// an error's chain to print the first hint it finds.
func (e *UserError) HintText() Text { return e.Hint }

// Unwrap returns the cause.
func (e *UserError) Unwrap() error { return e.Err }

// Text returns the message, with its cause's, in every language.
func (e *UserError) Text() Text {
	if e.Err == nil {
		return e.Msg
	}
	cause := ErrorText(e.Err)
	if e.Msg.Empty() {
		return cause
	}
	return T(e.Msg.Get(LangEN)+": "+cause.Get(LangEN), e.Msg.Get(LangVI)+": "+cause.Get(LangVI))
}

// ErrorText returns err's message in every language: its own Text where it has one, else
// err.Error() in each.
func ErrorText(err error) Text {
	if t, ok := err.(interface{ Text() Text }); ok && !t.Text().Empty() {
		return t.Text()
	}
	return T(err.Error(), err.Error())
}
