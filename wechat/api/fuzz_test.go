package api

import (
	"errors"
	"testing"
	"time"
)

func FuzzParseAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"errcode":0,"errmsg":"ok"}`,
		`{"access_token":"ACCESS_TOKEN","expires_in":7200}`,
		`{"errcode":0,"errmsg":"ok","type":"image","media_id":"MEDIA_ID","created_at":1234567890}`,
		`{"type":"image","media_id":"MEDIA_ID","created_at":"1741000000"}`,
		`{"created_at":"xxx"}`,
		`{"created_at":1.7e9}`,
		`{"created_at":-5}`,
		`{"created_at":null}`,
		`{"created_at":{"a":1}}`,
		`{"errcode":45015,"errmsg":"response out of time limit or subscription is canceled rid: 1-2-3"}`,
		`{"errcode":49999}`,
		`{"errcode":"1"}`,
		`[]`,
		`null`,
		`<html>`,
		``,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []string{opToken, opSend, opUpload} {
			a, err := parseAnswer(op, body)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Reason() == "" || e.Op != op {
					t.Fatalf("parseAnswer(%q): %v (%T)", body, err, err)
				}
				if a != nil {
					t.Fatal("an answer with an error")
				}
				continue
			}
			if a.ErrCode != 0 {
				t.Fatalf("errcode %d without an error", a.ErrCode)
			}
			at := a.createdAt(now)
			if d := at.Sub(now); d > clockSkew || d < -clockSkew {
				t.Fatalf("created_at %v is %v from now", at, d)
			}
		}
	})
}

func TestCreatedAtForms(t *testing.T) {
	now := time.Unix(1741000000, 0)
	for body, want := range map[string]int64{
		`{"created_at":1740999990}`:     1740999990,
		`{"created_at":"1740999990"}`:   1740999990,
		`{"created_at":1.74099999e9}`:   1740999990,
		`{"created_at":"1.74099999e9"}`: 1740999990,
		`{"created_at":""}`:             now.Unix(),
		`{"created_at":true}`:           now.Unix(),
		`{}`:                            now.Unix(),
	} {
		a, err := parseAnswer(opUpload, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := a.createdAt(now).Unix(); got != want {
			t.Errorf("%s: created at %d, want %d", body, got, want)
		}
	}
}
