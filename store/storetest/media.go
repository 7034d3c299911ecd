package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"kefu"
)

var pngBytes = []byte("\x89PNG\r\n\x1a\n fake but sniffable")

func testMediaRoundTrip(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	m := &kefu.Media{AppID: testAppID, ContentType: "image/png", Data: pngBytes}
	if err := e.store.PutMedia(ctx, m); err != nil {
		t.Fatal(err)
	}
	if len(m.Key) < 32 || m.Size != int64(len(pngBytes)) || len(m.SHA256) != 64 {
		t.Fatalf("PutMedia filled in %+v", m)
	}
	got, err := e.store.Media(ctx, m.Key)
	if err != nil || !bytes.Equal(got.Data, pngBytes) || got.ContentType != "image/png" || got.AppID != testAppID {
		t.Fatalf("Media = %+v, %v", got, err)
	}
	_, err = e.store.Media(ctx, "missing")
	wantCode(t, err, kefu.ENotFound)

	now := e.clock.Now()
	if _, ok, err := e.store.UploadedMedia(ctx, testAppID, m.Key, now); ok || err != nil {
		t.Fatalf("UploadedMedia before any upload: %v %v", ok, err)
	}
	if err := e.store.SaveUpload(ctx, testAppID, m.Key, "MID1", now.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveUpload(ctx, testAppID, m.Key, "MID2", now.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := e.store.UploadedMedia(ctx, testAppID, m.Key, now.Add(71*time.Hour)); id != "MID2" || !ok || err != nil {
		t.Fatalf("UploadedMedia = %q %v %v; want MID2", id, ok, err)
	}
	if _, ok, _ := e.store.UploadedMedia(ctx, testAppID, m.Key, now.Add(72*time.Hour)); ok {
		t.Errorf("an expired media_id was returned")
	}
	e.store.ForgetUpload(ctx, testAppID, m.Key, "MID1") // already replaced: no effect
	if _, ok, _ := e.store.UploadedMedia(ctx, testAppID, m.Key, now); !ok {
		t.Errorf("forgetting a replaced media_id dropped the current one")
	}
	e.store.ForgetUpload(ctx, testAppID, m.Key, "MID2")
	if _, ok, _ := e.store.UploadedMedia(ctx, testAppID, m.Key, now); ok {
		t.Errorf("ForgetUpload kept the media_id")
	}
}

func (e *env) image(openid string, msgID int64) *kefu.Inbound {
	in := e.text(openid, msgID, "")
	in.MsgType, in.Kind, in.MediaID, in.PicURL = "image", kefu.KindImage, "MEDIA", "http://example.invalid/pic"
	return in
}

func testPendingMedia(t *testing.T, e *env) {
	ctx := context.Background()
	e.createApp(t)
	e.ingest(t, e.text("o1", 1, "hi"))
	img := e.ingest(t, e.image("o1", 2))
	card := e.text("o1", 3, "")
	card.MsgType, card.Kind, card.Title, card.ThumbMediaID = "miniprogrampage", kefu.KindCard, "Card", "THUMB"
	c := e.ingest(t, card)
	pending, err := e.store.PendingMedia(ctx, e.clock.Now(), 10)
	if err != nil || len(pending) != 2 || pending[0].ID != img.MessageID || pending[1].ID != c.MessageID {
		t.Fatalf("PendingMedia = %v, %v; want the image and the card", ids(pending), err)
	}
	if pending[0].Fields["media_id"] != "MEDIA" || !pending[0].HasMedia() {
		t.Errorf("pending image: %+v", pending[0])
	}
	// A failed try waits for its retry time.
	if err := e.store.MediaFetchFailed(ctx, img.MessageID, e.clock.Now().Add(time.Minute), "", "busy"); err != nil {
		t.Fatal(err)
	}
	pending, _ = e.store.PendingMedia(ctx, e.clock.Now(), 10)
	if len(pending) != 1 || pending[0].ID != c.MessageID {
		t.Fatalf("after a failed try, pending = %v; want only the card", ids(pending))
	}
	e.clock.Advance(time.Minute)
	m := &kefu.Media{AppID: testAppID, ContentType: "image/png", Data: pngBytes}
	if err := e.store.AttachMedia(ctx, img.MessageID, m); err != nil {
		t.Fatal(err)
	}
	// Storing it again (another worker) keeps the first copy.
	if err := e.store.AttachMedia(ctx, img.MessageID, &kefu.Media{AppID: testAppID, ContentType: "image/png", Data: pngBytes}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MediaFetchFailed(ctx, c.MessageID, time.Time{}, kefu.MediaFailed, "gone"); err != nil {
		t.Fatal(err)
	}
	if pending, _ = e.store.PendingMedia(ctx, e.clock.Now(), 10); len(pending) != 0 {
		t.Fatalf("pending = %v; want none", ids(pending))
	}
	second := &kefu.Media{AppID: testAppID, ContentType: "image/png", Data: pngBytes}
	e.store.AttachMedia(ctx, img.MessageID, second)
	if _, err := e.store.Media(ctx, second.Key); kefu.ErrorCodeOf(err) != kefu.ENotFound {
		t.Errorf("a copy stored after the first was kept: %v", err)
	}
	got, _ := e.store.Message(ctx, img.MessageID)
	if got.MediaState != kefu.MediaStored || got.MediaKey != m.Key || got.Attempts != 2 {
		t.Errorf("image after storing: state %q key %q attempts %d", got.MediaState, got.MediaKey, got.Attempts)
	}
	got, _ = e.store.Message(ctx, c.MessageID)
	if got.MediaState != kefu.MediaFailed || got.ErrReason != "gone" {
		t.Errorf("card after giving up: %+v", got)
	}
}
