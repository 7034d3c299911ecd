package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"kefu"
)

const appColumns = `appid, original_id, secret, token, aes_key, prev_aes_key, mode, format, created_at, updated_at`

// CreateApp adds a mini program; an existing appid is an EConflict error.
func (s *Store) CreateApp(ctx context.Context, a *kefu.App) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := s.clock.Now()
	a.CreatedAt, a.UpdatedAt = now, now
	res, err := s.write.ExecContext(ctx, s.q(`INSERT INTO apps (`+appColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (appid) DO NOTHING`),
		a.AppID, a.OriginalID, a.Secret, a.Token, a.AESKey, a.PrevAESKey,
		string(a.Mode), string(a.Format), millis(now), millis(now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.Errorf(kefu.EConflict, "app %s already exists", a.AppID)
	}
	return nil
}

// UpdateApp replaces an app's settings.
func (s *Store) UpdateApp(ctx context.Context, a *kefu.App) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.UpdatedAt = s.clock.Now()
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE apps SET original_id = ?, secret = ?, token = ?,
		aes_key = ?, prev_aes_key = ?, mode = ?, format = ?, updated_at = ? WHERE appid = ?`),
		a.OriginalID, a.Secret, a.Token, a.AESKey, a.PrevAESKey, string(a.Mode), string(a.Format),
		millis(a.UpdatedAt), a.AppID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.Errorf(kefu.ENotFound, "no app %s", a.AppID)
	}
	return nil
}

// DeleteApp removes an app with its customers, conversations and messages.
func (s *Store) DeleteApp(ctx context.Context, appID string) error {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM apps WHERE appid = ?`), appID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kefu.Errorf(kefu.ENotFound, "no app %s", appID)
	}
	return nil
}

// App returns one app.
func (s *Store) App(ctx context.Context, appID string) (*kefu.App, error) {
	row := s.read.QueryRowContext(ctx, s.q(`SELECT `+appColumns+` FROM apps WHERE appid = ?`), appID)
	a, err := scanApp(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kefu.Errorf(kefu.ENotFound, "no app %s", appID)
	}
	return a, err
}

// Apps lists every app by appid.
func (s *Store) Apps(ctx context.Context) ([]*kefu.App, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+appColumns+` FROM apps ORDER BY appid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var apps []*kefu.App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		apps = append(apps, a)
	}
	return apps, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanApp(row scanner) (*kefu.App, error) {
	var a kefu.App
	var mode, format string
	var created, updated int64
	if err := row.Scan(&a.AppID, &a.OriginalID, &a.Secret, &a.Token, &a.AESKey, &a.PrevAESKey,
		&mode, &format, &created, &updated); err != nil {
		return nil, err
	}
	a.Mode, a.Format = kefu.Mode(mode), kefu.Format(format)
	a.CreatedAt, a.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &a, nil
}
