package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"kefu"
)

// PutMedia stores an image and fills in what the store decides about it.
func (s *Store) PutMedia(ctx context.Context, m *kefu.Media) error {
	return s.inWriteTx(ctx, func(tx *sql.Tx) error { return s.putMedia(ctx, tx, m) })
}

func (s *Store) putMedia(ctx context.Context, tx *sql.Tx, m *kefu.Media) error {
	if len(m.Data) == 0 {
		return kefu.Errorf(kefu.EInvalid, "the image is empty")
	}
	sum := sha256.Sum256(m.Data)
	m.Key, m.Size, m.SHA256 = randomHex(16), int64(len(m.Data)), hex.EncodeToString(sum[:])
	m.CreatedAt = s.clock.Now()
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO media (media_key, appid, content_type, size, sha256, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), m.Key, m.AppID, m.ContentType, m.Size, m.SHA256, m.Data, millis(m.CreatedAt))
	return err
}

// Media returns a stored image.
func (s *Store) Media(ctx context.Context, key string) (*kefu.Media, error) {
	m := kefu.Media{Key: key}
	var created int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT appid, content_type, size, sha256, data, created_at FROM media WHERE media_key = ?`), key).
		Scan(&m.AppID, &m.ContentType, &m.Size, &m.SHA256, &m.Data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.Errorf(kefu.ENotFound, "no stored image %q", key)
	}
	m.CreatedAt = fromMillis(created)
	return &m, err
}

// UploadedMedia returns the recorded media_id of an image, if valid at now.
func (s *Store) UploadedMedia(ctx context.Context, appID, key string, now time.Time) (string, bool, error) {
	var id string
	err := s.onRead().scan(ctx, `SELECT media_id FROM media_uploads WHERE appid = ? AND media_key = ? AND expires_at > ?`,
		[]any{appID, key, millis(now)}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// SaveUpload records (or replaces) the media_id of an image.
func (s *Store) SaveUpload(ctx context.Context, appID, key, mediaID string, expiresAt time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO media_uploads (appid, media_key, media_id, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (appid, media_key) DO UPDATE SET media_id = excluded.media_id, expires_at = excluded.expires_at`),
		appID, key, mediaID, millis(expiresAt))
	return err
}

// ForgetUpload drops a media_id WeChat no longer knows, unless it was replaced meanwhile.
func (s *Store) ForgetUpload(ctx context.Context, appID, key, mediaID string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM media_uploads WHERE appid = ? AND media_key = ? AND media_id = ?`),
		appID, key, mediaID)
	return err
}

// PendingMedia returns inbound media due to be fetched. The conditions repeat the
// partial index's predicate word for word, which is what SQLite needs to use it.
func (s *Store) PendingMedia(ctx context.Context, now time.Time, limit int) ([]*kefu.Message, error) {
	return s.queryMessages(ctx, s.onRead(), `SELECT `+messageColumns+` FROM messages
		WHERE direction = 'in' AND kind IN ('image', 'miniprogrampage') AND media_state = ''
		AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, millis(now), limit)
}

// AttachMedia stores an inbound message's media and links the message to it, in one
// transaction; if another worker stored it first, nothing is kept.
func (s *Store) AttachMedia(ctx context.Context, id int64, m *kefu.Media) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		if err := s.putMedia(ctx, tx, m); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE messages SET media_key = ?, media_state = 'stored', attempts = attempts + 1, err_reason = ''
			WHERE id = ? AND media_state = ''`), m.Key, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errAlreadyStored
		}
		return nil
	})
	if errors.Is(err, errAlreadyStored) {
		return nil
	}
	return err
}

var errAlreadyStored = errors.New("media already stored")

// MediaFetchFailed records a failed fetch.
func (s *Store) MediaFetchFailed(ctx context.Context, id int64, retryAt time.Time, state kefu.MediaState, reason string) error {
	if retryAt.IsZero() {
		_, err := s.write.ExecContext(ctx, s.q(`UPDATE messages SET media_state = ?, attempts = attempts + 1, err_reason = ?
			WHERE id = ? AND media_state = ''`), string(state), reason, id)
		return err
	}
	_, err := s.write.ExecContext(ctx, s.q(`UPDATE messages SET next_attempt_at = ?, attempts = attempts + 1, err_reason = ?
		WHERE id = ? AND media_state = ''`), millis(retryAt), reason, id)
	return err
}
