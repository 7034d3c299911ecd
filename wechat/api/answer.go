package api

import (
	"encoding/json"
	"strconv"
	"time"
)

// answer holds the fields of WeChat's JSON answers; each call reads the ones it
// expects. Success answers of some APIs omit errcode, so its absence means 0.
type answer struct {
	ErrCode     int      `json:"errcode"`
	ErrMsg      string   `json:"errmsg"`
	AccessToken string   `json:"access_token"`
	ExpiresIn   int64    `json:"expires_in"`
	Type        string   `json:"type"`
	MediaID     string   `json:"media_id"`
	CreatedAt   unixTime `json:"created_at"`
}

// parseAnswer decodes op's JSON answer: an *Error for a non-zero errcode or for a
// body that is not a JSON object.
func parseAnswer(op string, body []byte) (*answer, error) {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, (&request{op: op}).unreadable("not a JSON object")
	}
	if a.ErrCode != 0 {
		return nil, codeError(op, a.ErrCode, a.ErrMsg)
	}
	return &a, nil
}

// unixTime is created_at, which WeChat documents as a number of seconds and shows as
// a string in its example (docs/protocol.md §10.3). It reads either, and leaves anything
// else zero rather than failing an upload that did succeed.
type unixTime int64

// UnmarshalJSON accepts 1234567890, "1234567890" and 1.23456789e9; other values
// leave t zero.
func (t *unixTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	*t = 0
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*t = unixTime(max(n, 0))
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e15 {
		*t = unixTime(f)
	}
	return nil
}

// clockSkew is how far WeChat's created_at may be from our clock before it is taken
// for a misreading.
const clockSkew = 24 * time.Hour

// createdAt is when WeChat says it stored an upload. The upload has just happened,
// so a missing value, or one more than a day away from now, is a misreading, and
// now is as good as WeChat's own time.
func (a *answer) createdAt(now time.Time) time.Time {
	if a.CreatedAt <= 0 {
		return now
	}
	t := time.Unix(int64(a.CreatedAt), 0)
	if d := t.Sub(now); d > clockSkew || d < -clockSkew {
		return now
	}
	return t
}
