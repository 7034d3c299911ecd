package sim

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// WeChat error codes the API server answers with (docs/protocol.md §10, §11). Where
// docs/protocol.md leaves a code UNCONFIRMED, the choice is explained beside it.
const (
	codeSystemError     = -1
	codeOK              = 0
	codeInvalidToken    = 40001 // also a wrong secret on the token endpoints (see APIOptions.BadSecretCode)
	codeInvalidGrant    = 40002
	codeInvalidOpenID   = 40003
	codeInvalidMedia    = 40004 // upload type other than image
	codeInvalidFileType = 40005 // upload bytes that are not a JPEG, PNG or GIF
	codeInvalidMediaID  = 40007
	codeInvalidMsgType  = 40008 // UNCONFIRMED for mini programs; wechatpy's constant
	codeInvalidImgSize  = 40009 // upload larger than MediaLimit ("invalid image size", WeChat's global table)
	codeInvalidAppID    = 40013
	codeInvalidURL      = 40066 // link.url not http(s) ("invalid url", WeChat's global table)
	codeBadSecret125    = 40125
	codeMediaMissing    = 41005 // upload without a "media" part
	codeTokenExpired    = 42001
	codeRequireGET      = 43001
	codeRequirePOST     = 43002
	codeEmptyPostData   = 44002
	codeEmptyContent    = 44004 // text.content empty
	codeContentTooLong  = 45002
	codeDailyLimit      = 45009
	codeOutOfTime       = 45015
	codeOutOfCount      = 45047
	codeBadCommand      = 45072
	codeNoExchange      = 45080
	codeAlreadyTyping   = 45081
	codeDataFormat      = 47001
)

// errorMessages are the errmsg texts; where WeChat's exact text was never seen
// (docs/protocol.md §11 "*"), they follow wechatpy's constant names or WeChat's global
// return-code table.
var errorMessages = map[int]string{
	codeSystemError:     "system error",
	codeInvalidToken:    "invalid credential, access_token is invalid or not latest",
	codeInvalidGrant:    "invalid grant_type",
	codeInvalidOpenID:   "invalid openid",
	codeInvalidMedia:    "invalid media type",
	codeInvalidFileType: "invalid file type",
	codeInvalidMediaID:  "invalid media_id",
	codeInvalidMsgType:  "invalid message type",
	codeInvalidImgSize:  "invalid image size",
	codeInvalidAppID:    "invalid appid",
	codeInvalidURL:      "invalid url",
	codeBadSecret125:    "invalid appsecret",
	codeMediaMissing:    "media data missing",
	codeTokenExpired:    "access_token expired",
	codeRequireGET:      "require GET method",
	codeRequirePOST:     "require POST method",
	codeEmptyPostData:   "empty post data",
	codeEmptyContent:    "empty content",
	codeContentTooLong:  "content size out of limit",
	codeDailyLimit:      "reach max api daily quota limit",
	codeOutOfTime:       "response out of time limit or subscription is canceled",
	codeOutOfCount:      "out of response count limit",
	codeBadCommand:      "invalid command",
	codeNoExchange:      "need sending message to user or recving message from user in the last 30 seconds before typing",
	codeAlreadyTyping:   "you are already typing",
	codeDataFormat:      "data format error",
}

// apiError is a refusal on its way to the wire.
type apiError struct {
	code   int
	detail string // appended to the standard message, e.g. the offending media_id
}

func fail(code int) *apiError { return &apiError{code: code} }

func failf(code int, detail string) *apiError { return &apiError{code: code, detail: detail} }

func (e *apiError) message() string {
	msg, ok := errorMessages[e.code]
	if !ok {
		msg = "error"
	}
	if e.detail != "" {
		msg += " " + e.detail
	}
	return msg + " rid: " + newRID()
}

// errorBody is WeChat's error shape. HTTP status stays 200, as WeChat's does.
type errorBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, errorBody{ErrCode: e.code, ErrMsg: e.message()})
}

// newRID returns a request id shaped like WeChat's: xxxxxxxx-xxxxxxxx-xxxxxxxx.
func newRID() string {
	var b [12]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:16] + "-" + h[16:24]
}
