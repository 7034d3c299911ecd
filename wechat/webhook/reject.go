package webhook

import "net/http"

// rejection is why a request was refused: an HTTP status, a short reason for the
// response body and logs, and a metric label.
type rejection struct {
	status int
	label  string
	reason string
}

func (r *rejection) Error() string { return r.reason }

func reject(status int, label, reason string) *rejection {
	return &rejection{status: status, label: label, reason: reason}
}

var (
	errUnknownApp      = reject(http.StatusNotFound, "unknown_app", "unknown app")
	errBadTimestamp    = reject(http.StatusBadRequest, "bad_timestamp", "missing or malformed timestamp")
	errStaleTimestamp  = reject(http.StatusBadRequest, "stale_timestamp", "timestamp outside the accepted window")
	errBadSignature    = reject(http.StatusForbidden, "bad_signature", "signature mismatch")
	errBadMsgSignature = reject(http.StatusForbidden, "bad_signature", "msg_signature mismatch")
	errTooLarge        = reject(http.StatusRequestEntityTooLarge, "too_large", "body too large")
	errEmptyBody       = reject(http.StatusBadRequest, "malformed", "empty body")
	errMalformed       = reject(http.StatusBadRequest, "malformed", "malformed body")
	errMissingCipher   = reject(http.StatusBadRequest, "malformed", "encrypt_type=aes but no Encrypt field")
	errNoKey           = reject(http.StatusBadRequest, "no_key", "encrypted push but the app has no EncodingAESKey")
	errDecrypt         = reject(http.StatusBadRequest, "decrypt", "cannot decrypt Encrypt")
	errWrongAppID      = reject(http.StatusBadRequest, "decrypt", "ciphertext is for another appid")
	errDowngrade       = reject(http.StatusBadRequest, "downgrade", "plaintext push refused: the app is in secure mode")
	errCompatPlain     = reject(http.StatusBadRequest, "downgrade", "plaintext push refused: the app is in compatible mode")
	errReplayed        = reject(http.StatusForbidden, "replayed", "signature already used with another body")
	errNoEchostr       = reject(http.StatusBadRequest, "malformed", "missing echostr")
	errStore           = reject(http.StatusServiceUnavailable, "store_error", "cannot store the message now; retry")
)
