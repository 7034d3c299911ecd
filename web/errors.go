package web

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"kefu"
)

// statusOf is the one place a kefu.Error's code becomes an HTTP status. (WeChat's
// webhook answers pushes in WeChat's terms, with refusals of its own.)
func statusOf(code kefu.ErrorCode) int {
	switch code {
	case kefu.ENotFound:
		return http.StatusNotFound
	case kefu.EInvalid:
		return http.StatusBadRequest
	case kefu.EConflict:
		return http.StatusConflict
	case kefu.EUnauthorized:
		return http.StatusForbidden
	case kefu.EQuota:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// writeError answers err as JSON with its status, its user-safe message and its
// key. Internal errors are logged, never shown.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	writeJSONError(w, r, log, err, statusOf(kefu.ErrorCodeOf(err)))
}

// apiError is the body of every error the console's API answers.
type apiError struct {
	Error string         `json:"error"`
	Code  kefu.ErrorCode `json:"code"`
	Key   string         `json:"key,omitempty"` // the page says it in the agent's language
}

func writeJSONError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, status int) {
	code := kefu.ErrorCodeOf(err)
	if code == kefu.EInternal {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(apiError{Error: kefu.ErrorMessageOf(err), Code: code, Key: kefu.ErrorKeyOf(err)})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

// readJSON decodes a small JSON body into v.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return kefu.Errorf(kefu.EInvalid, "the request is not the JSON expected")
	}
	return nil
}
