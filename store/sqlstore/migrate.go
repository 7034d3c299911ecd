package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"kefu"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies every pending migration. On PostgreSQL a session lock keeps several
// kefu instances that start together from migrating at once.
func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	fsys, err := d.migrations()
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d.goose == goose.DialectPostgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d.goose, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// migrations returns the embedded migrations with the dialect's type names.
func (d dialect) migrations() (fs.FS, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return rewrittenFS{sub, d.typeRewrites}, nil
}

// rewrittenFS serves files of fsys with rewrite applied to their contents.
type rewrittenFS struct {
	fsys    fs.FS
	rewrite *strings.Replacer
}

func (r rewrittenFS) Open(name string) (fs.File, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		return f, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	text := r.rewrite.Replace(string(b))
	return &rewrittenFile{Reader: strings.NewReader(text), info: info, size: int64(len(text))}, nil
}

// ReadDir lets fs.Glob list the directory.
func (r rewrittenFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.fsys, name) }

type rewrittenFile struct {
	*strings.Reader
	info fs.FileInfo
	size int64
}

func (f *rewrittenFile) Stat() (fs.FileInfo, error) { return sizedInfo{f.info, f.size}, nil }
func (f *rewrittenFile) Close() error               { return nil }

// sizedInfo reports the rewritten size.
type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (i sizedInfo) Size() int64 { return i.size }

// requireSchema fails with kefu.ENotFound unless the database holds goose's version
// table, which kefu's first start creates: the commands that only read or queue
// must not turn an empty or foreign database into a kefu one.
func (s *Store) requireSchema(ctx context.Context) error {
	var n int
	if err := s.read.QueryRowContext(ctx, s.q(s.dialect.tableExists), goose.DefaultTablename).Scan(&n); err != nil {
		return fmt.Errorf("open %s: %w", s.name, err)
	}
	if n == 0 {
		return kefu.Errorf(kefu.ENotFound, "%s has no kefu tables: `kefu serve` or `kefu app add` creates them", s.name)
	}
	return nil
}
