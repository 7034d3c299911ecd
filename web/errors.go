package web

import (
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

// writeError answers err with its status and its user-safe message; internal
// errors are logged, never shown.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := kefu.ErrorCodeOf(err)
	if code == kefu.EInternal {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	http.Error(w, kefu.ErrorMessageOf(err), statusOf(code))
}
