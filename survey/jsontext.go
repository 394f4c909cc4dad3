package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONErrorText is what encoding/json found wrong decoding a value, in English (its own
// words, without the "json: " prefix) and Vietnamese: a syntax error and where, a field
// given a value of the wrong type, a cut value, an unknown field. An error that has its
// own words in both (a Text method) keeps them; any other reads "JSON không hợp lệ" in
// Vietnamese.
func JSONErrorText(err error) Text {
	en := strings.TrimPrefix(err.Error(), "json: ")
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.HasPrefix(syn.Error(), "unexpected end of JSON input"):
		return T(en, "JSON bị cắt cụt")
	case errors.As(err, &syn):
		return T(en, fmt.Sprintf("JSON không hợp lệ ở byte %d", syn.Offset))
	case errors.As(err, &typ) && typ.Field != "":
		return T(en, fmt.Sprintf("trường %q không nhận giá trị JSON kiểu %s", clipField(typ.Field), typ.Value))
	case errors.As(err, &typ):
		return T(en, fmt.Sprintf("giá trị JSON kiểu %s ở sai chỗ", typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return T(en, "JSON bị cắt cụt")
	case strings.HasPrefix(en, "unknown field "):
		return T(en, "trường không xác định "+strings.TrimPrefix(en, "unknown field "))
	}
	if t, ok := err.(interface{ Text() Text }); ok && !t.Text().Empty() {
		return t.Text()
	}
	return T(en, "JSON không hợp lệ")
}

func clipField(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
