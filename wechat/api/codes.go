package api

import (
	"strconv"
	"strings"
)

// verdict is what an errcode means for the caller.
type verdict struct {
	retryable bool
	reason    string
}

// IsTokenError reports whether code says the access token itself was refused
// (docs/protocol.md §11): the client refreshes it and tries the call once more.
func IsTokenError(code int) bool {
	return code == 40001 || code == 40014 || code == 42001
}

// verdicts classify the errcodes of the customer-service, media and token APIs
// (docs/protocol.md §10, §11). Only -1 and 45011 are retryable: WeChat did nothing and
// says so. A token error reaches a caller only after a refresh did not cure it.
var verdicts = map[int]verdict{
	-1:    {true, "WeChat was busy (system error) and did nothing; trying again later may succeed."},
	45011: {true, "The app's per-minute API quota is used up; trying again in a minute may succeed."},

	40001: {false, "WeChat refused a freshly fetched access token; check the AppSecret and that no other server fetches classic tokens for this app."},
	40014: {false, "WeChat refused a freshly fetched access token as invalid; check the AppSecret and the app's configuration."},
	42001: {false, "WeChat reported a freshly fetched access token as expired; check this server's clock and the app's configuration."},

	40002: {false, "The token request used a wrong grant_type; this is a bug in kefu."},
	40003: {false, "WeChat does not know this openid for this mini program; the user cannot be reached."},
	40004: {false, "WeChat refused the upload's media type; only images can be uploaded."},
	40005: {false, "WeChat refused the file as not a supported image."},
	40007: {false, "The media_id is unknown or expired (media lives 3 days); upload the image again."},
	40008: {false, "WeChat refused the message type; mini programs take text, image, link and mini program cards."},
	40009: {false, "WeChat refused the image as too large."},
	40013: {false, "WeChat does not know this appid; check the app's configuration."},
	40066: {false, "WeChat refused the link's URL."},
	40125: {false, "WeChat refused the AppSecret; check the app's secret in the configuration."},
	40164: {false, "This server's IP address is not in the app's API whitelist; add it in the mini program console."},
	40200: {false, "This account type cannot use the customer-service API."},
	40243: {false, "The app's AppSecret is frozen; unfreeze or reset it in the mini program console."},
	41005: {false, "WeChat found no image in the upload; this is a bug in kefu."},
	43001: {false, "WeChat wanted a GET request; this is a bug in kefu."},
	43002: {false, "WeChat wanted a POST request; this is a bug in kefu."},
	44002: {false, "WeChat received an empty request body; this is a bug in kefu."},
	44004: {false, "WeChat refused an empty text message."},
	45002: {false, "The message is longer than WeChat allows; shorten or split it."},
	45009: {false, "The app's daily API quota is used up; sends resume after midnight (China time) or once the quota is cleared in the console."},
	45015: {false, "The reply window is closed (no user message in 48 hours, or the chat entry expired); the user must write again."},
	45047: {false, "This reply window's sends are used up; wait for the user's next message."},
	45072: {false, "WeChat did not understand the typing command; this is a bug in kefu."},
	45080: {false, "Typing needs a message exchange with the user in the last 30 seconds."},
	45081: {false, "The typing indicator is already showing."},
	47001: {false, "WeChat could not parse the request; this is a bug in kefu."},
	48001: {false, "The mini program lacks the customer-service permission; grant it in the mini program console."},
	70000: {false, "WeChat blocked the message to protect a minor."},
}

// tokenVerdicts override verdicts for answers of the token endpoints, where 40001
// means the AppSecret, not a token, was refused.
var tokenVerdicts = map[int]verdict{
	40001: {false, "WeChat refused the AppSecret; check the app's secret in the configuration."},
	40014: {false, "WeChat refused the AppSecret; check the app's secret in the configuration."},
}

// mediaVerdicts override verdicts for answers of media/get, where a media_id came
// from a user's message: there is nothing to upload again.
var mediaVerdicts = map[int]verdict{
	40007: {false, "WeChat does not know this media_id, or no longer has it (media lives 3 days)."},
}

// verdictFor classifies code in op's answer; an unknown code gets a generic reason
// that quotes WeChat's errmsg (without its request id).
func verdictFor(op string, code int, msg string) verdict {
	var overrides map[int]verdict
	switch op {
	case opToken:
		overrides = tokenVerdicts
	case opMedia:
		overrides = mediaVerdicts
	}
	if v, ok := overrides[code]; ok {
		return v
	}
	if v, ok := verdicts[code]; ok {
		return v
	}
	msg, _, _ = strings.Cut(msg, " rid:")
	if msg = strings.TrimSpace(msg); msg == "" {
		msg = "no message"
	}
	return verdict{false, "WeChat refused the request with errcode " + strconv.Itoa(code) + " (" + msg + ")."}
}
