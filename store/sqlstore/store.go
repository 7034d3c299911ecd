// Package sqlstore is kefu's database: one implementation of the kefu store
// interfaces for SQLite (the embedded default, through modernc.org/sqlite) and
// PostgreSQL (through pgx's database/sql adapter), differing only in a dialect value.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite"

	"kefu"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	Clock      kefu.Clock
	QuotaRules *kefu.QuotaRules // nil means kefu.DefaultQuotaRules
	// MaxBatch caps how many pushes share one ingest commit (default 256).
	MaxBatch int
	// NoIngest opens the store for tools that never call Ingest (the kefu app and
	// messages commands): no writer goroutine, no prepared ingest statements.
	NoIngest bool
	// MustExist opens only a database kefu has set up before (for the commands that
	// read or queue: a mistyped --db must not leave an empty database behind): a
	// missing SQLite file, or a database without kefu's migration table, is
	// kefu.ENotFound. A kefu database of an older version is still migrated.
	MustExist bool
	// OnBatch, when set, is told the size of every committed ingest batch (a
	// metric).
	OnBatch func(size int)
	// Publisher, when set, is told what each ingest commit stored
	// (kefu.EventMessageStored, kefu.EventConversationOpened).
	Publisher kefu.Publisher
}

// Store is a kefu.Store over SQLite or PostgreSQL.
type Store struct {
	dialect   dialect
	path      string  // the SQLite file; empty on PostgreSQL
	name      string  // the database in messages: the SQLite file, or PostgreSQL's name and host
	write     *sql.DB // SQLite: the one writer connection; PostgreSQL: the same pool as read
	read      *sql.DB
	clock     kefu.Clock
	rules     kefu.QuotaRules
	ingest    *groupCommit[*ingestRequest] // nil with Options.NoIngest
	combine   *groupCommit[*write]         // shared commits of the outbox's claims and results
	onBatch   func(size int)
	publisher kefu.Publisher
	// prepared statements, and among them each size of the multi-row ones, by name
	prepared prepared
	multi    map[stmtKey]*sql.Stmt
	ready    readiness
	closing  sync.Once
	closed   error
}

var _ kefu.Store = (*Store)(nil)

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn (a SQLite file path or a postgres:// URL), applies pending
// migrations and starts the ingest writer.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{clock: opts.Clock, rules: kefu.DefaultQuotaRules()}
	if s.clock == nil {
		s.clock = kefu.SystemClock{}
	}
	if opts.QuotaRules != nil {
		s.rules = *opts.QuotaRules
	}
	var err error
	if IsPostgres(dsn) {
		err = s.openPostgres(dsn)
	} else {
		err = s.openSQLite(dsn, !opts.MustExist)
	}
	if err != nil {
		return nil, err
	}
	if err := s.read.PingContext(ctx); err != nil {
		s.closeDBs()
		if s.path != "" { // a PostgreSQL URL may carry a password, a file path nothing secret
			return nil, fmt.Errorf("open sqlite database %s: %w", s.path, err)
		}
		return nil, fmt.Errorf("open %s database: %w", s.dialect.name, err)
	}
	if opts.MustExist {
		if err := s.requireSchema(ctx); err != nil {
			s.closeDBs()
			return nil, err
		}
	}
	if err := migrate(ctx, s.write, s.dialect); err != nil {
		s.closeDBs()
		return nil, err
	}
	if err := s.warm(ctx); err != nil {
		s.prepared.close()
		s.closeDBs()
		return nil, fmt.Errorf("prepare statements: %w", err)
	}
	s.combine = s.newCombiner()
	if opts.NoIngest {
		return s, nil
	}
	s.onBatch, s.publisher = opts.OnBatch, opts.Publisher
	if s.publisher == nil {
		s.publisher = kefu.NoPublisher{}
	}
	s.ingest, err = s.newIngest(ctx, opts.MaxBatch)
	if err != nil {
		s.combine.stop()
		s.prepared.close()
		s.closeDBs()
		return nil, err
	}
	return s, nil
}

// openPostgres connects through pgx's database/sql adapter. Unless the URL says
// otherwise, each session plans every execution afresh (plan_cache_mode): a
// prepared statement's generic plan, chosen while a new database's tables were
// empty, kept looking up dedup keys by sequential scan and cut ingest to a quarter.
func (s *Store) openPostgres(dsn string) error {
	s.dialect = postgresDialect
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	// Not the URL: it may hold a password.
	s.name = fmt.Sprintf("PostgreSQL database %q on %s", cfg.Database, cfg.Host)
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	s.write, s.read = db, db
	return nil
}

// openSQLite opens two handles on one file: a single writer connection, so writes
// never wait on SQLite's lock within this process, and a pool of readers that WAL
// lets run beside it. synchronous=FULL makes every commit durable before Ingest
// returns (docs/architecture.md invariant 1). Unless create is set, the file must exist.
func (s *Store) openSQLite(path string, create bool) error {
	s.dialect = sqliteDialect
	path = strings.TrimPrefix(path, "sqlite://")
	if path == "" {
		return fmt.Errorf("no database: give a SQLite file path or a postgres:// URL")
	}
	if create {
		if err := makeSQLiteDir(path); err != nil {
			return err
		}
	}
	if err := openSQLiteFile(path, create); err != nil {
		return err
	}
	s.path, s.name = path, path
	pragmas := url.Values{}
	// temp_store(MEMORY) keeps the statement journals of ingest's multi-row upserts
	// off the disk; cache_size (in KiB when negative) keeps the hot index pages.
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(FULL)",
		"temp_store(MEMORY)", "cache_size(-16384)", "wal_autocheckpoint(10000)"} {
		pragmas.Add("_pragma", p)
	}
	// BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails
	// half-way because another process (a kefu app command) wrote meanwhile.
	pragmas.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + pragmas.Encode()
	w, err := sql.Open(s.dialect.driver, dsn)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open(s.dialect.driver, dsn)
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s.write, s.read = w, r
	return nil
}

// Dialect names the database kind: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.name }

// Close stops the ingest writer after the pushes already handed to it are committed,
// then closes the database.
func (s *Store) Close() error {
	s.closing.Do(func() {
		if s.ingest != nil {
			s.ingest.stop()
		}
		s.combine.stop()
		s.prepared.close()
		s.closed = s.closeDBs()
	})
	return s.closed
}

func (s *Store) closeDBs() error {
	err := s.write.Close()
	if s.read != s.write {
		if rerr := s.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

func (s *Store) q(query string) string { return s.dialect.bind(query) }
