package precogxapi // import "github.com/precogxai/precogx-otel/internal/precogxapi"

import "encoding/json"

// DetailError returns the `{"detail": msg}` error body.
func DetailError(msg string) ErrorBody {
	detail, _ := json.Marshal(msg) // marshaling a string cannot fail
	return ErrorBody{Detail: detail}
}

// CodedError returns the `{"error": {"code": code, "message": msg}}` error body.
func CodedError(code, msg string) ErrorBody {
	var body ErrorBody
	body.Error = &struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{Code: code, Message: msg}
	return body
}
